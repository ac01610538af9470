/**
 * `serve`'s incoming-mail options: `--smtp-port` starts the SMTP listener (runtime/mail-in) beside
 * the REST API; the others shape it. Each also set by an environment variable; a value out of
 * range is bad usage (exit 2). Without --smtp-port no listener runs.
 */
import { Option, type Command } from "commander";
import { RuntimeError } from "../errors.ts";
import {
  localPartsOf,
  MAIL_IN_DEFAULTS,
  MAIL_IN_RANGES,
  type MailListener,
  type MailLog,
  startMailListener,
} from "../mail-in/index.ts";
import type { ActionRuntime } from "../runs/index.ts";
import { booleanOption, numberOption } from "./option-schema.ts";

export interface MailInFlags {
  smtpPort?: number;
  smtpHost: string;
  smtpAllowRemote?: boolean;
  smtpDomain?: string;
  smtpMaxBytes: number;
  smtpPerSenderPerMinute: number;
}

export function addMailInOptions(command: Command): Command {
  return command
    .addOption(
      numberOption(
        "--smtp-port",
        "start the incoming-mail SMTP listener on this port (actions with invokeFromEmail)",
        MAIL_IN_RANGES.port,
        "COMIND_SMTP_PORT",
      ),
    )
    .addOption(
      new Option("--smtp-host <address>", "address the SMTP listener binds to")
        .env("COMIND_SMTP_HOST")
        .default(MAIL_IN_DEFAULTS.host),
    )
    .addOption(
      booleanOption(
        "--smtp-allow-remote",
        "take mail from peers other than this host (default: loopback peers only)",
        "COMIND_SMTP_ALLOW_REMOTE",
      ),
    )
    .addOption(
      new Option("--smtp-domain <domain>", "the only recipient domain accepted (default: any)").env(
        "COMIND_SMTP_DOMAIN",
      ),
    )
    .addOption(
      numberOption(
        "--smtp-max-bytes",
        "largest incoming message (announced with SIZE, larger ones refused 552)",
        MAIL_IN_RANGES.maxBytes,
        "COMIND_SMTP_MAX_BYTES",
      ).default(MAIL_IN_DEFAULTS.maxBytes),
    )
    .addOption(
      numberOption(
        "--smtp-per-sender-per-minute",
        "messages one sender address may send per minute on this node (more: 450, try later)",
        MAIL_IN_RANGES.perSenderPerMinute,
        "COMIND_SMTP_PER_SENDER_PER_MINUTE",
      ).default(MAIL_IN_DEFAULTS.perSenderPerMinute),
    );
}

/** Starts the listener when --smtp-port was given; null otherwise. */
export async function startMailFrom(
  flags: MailInFlags,
  runtime: ActionRuntime,
  log: MailLog,
): Promise<MailListener | null> {
  if (flags.smtpPort === undefined) return null;
  return startMailListener({
    runtime,
    port: flags.smtpPort,
    host: flags.smtpHost,
    allowRemote: flags.smtpAllowRemote ?? false,
    domain: flags.smtpDomain,
    maxBytes: flags.smtpMaxBytes,
    perSenderPerMinute: flags.smtpPerSenderPerMinute,
    log,
  }).catch((error: NodeJS.ErrnoException) => {
    if (error?.code === "EADDRINUSE")
      throw new RuntimeError(
        "port_in_use",
        `SMTP port ${flags.smtpPort} on ${flags.smtpHost} is already in use: start with another --smtp-port (or COMIND_SMTP_PORT).`,
      );
    if (error?.code === "EADDRNOTAVAIL")
      throw new RuntimeError(
        "host_unavailable",
        `Cannot listen for SMTP on ${flags.smtpHost}: it is not an address of this machine; use --smtp-host 127.0.0.1.`,
      );
    throw error;
  });
}

/** The start's line about incoming mail: where it listens and which addresses run which action. */
export function mailStartLine(
  mail: MailListener,
  runtime: ActionRuntime,
  domain: string | undefined,
): string {
  const at = `@${domain ?? "<any domain>"}`;
  const addresses = [...runtime.apps.values()].flatMap((app) =>
    localPartsOf(app).map(
      ({ localPart, action }) => `${localPart}${at} -> ${app.alias} ${action ?? "(routes)"}`,
    ),
  );
  return `incoming mail: SMTP listening at ${mail.host}:${mail.port}${
    addresses.length ? `; ${addresses.join(", ")}` : "; no action has invokeFromEmail: true"
  }`;
}
