/**
 * The options of the incoming-mail listener (`serve --smtp-port ...`) as a zod schema, the type
 * inferred from it: a bad value is refused naming it (bad_request), never clamped.
 */
import { z } from "zod";
import { callback, instance, numberIn, parseConfig } from "../config-schema.ts";
import type { ActionRuntime } from "../runs/index.ts";

export const MAIL_IN_RANGES = {
  port: { min: 0, max: 65_535, whole: true },
  maxBytes: { min: 1_024, max: 100 * 1024 * 1024, whole: true },
  perSenderPerMinute: { min: 1, max: 100_000, whole: true },
} as const;

export const MAIL_IN_DEFAULTS = {
  host: "127.0.0.1",
  maxBytes: 10 * 1024 * 1024,
  perSenderPerMinute: 30,
} as const;

const isObject = (value: unknown) => typeof value === "object" && value !== null;

export const mailInOptionsSchema = z.strictObject({
  runtime: instance<ActionRuntime>("an ActionRuntime with a queue", isObject),
  /** 0: the OS chooses (tests); the listener answers the port it got. */
  port: numberIn(MAIL_IN_RANGES.port),
  host: z.string({ error: "must be an address" }).min(1).default(MAIL_IN_DEFAULTS.host),
  /** Peers other than this host are refused at connect unless this is true. */
  allowRemote: z.boolean({ error: "must be true or false" }).default(false),
  /** The only domain recipients may have (e.g. mail.example.com); unset: any domain. */
  domain: z
    .string({ error: "must be a domain" })
    .regex(/^[A-Za-z0-9.-]+$/, { error: "must be a domain like mail.example.com" })
    .optional(),
  /** Largest message accepted (announced with the SIZE extension and enforced). */
  maxBytes: numberIn(MAIL_IN_RANGES.maxBytes).default(MAIL_IN_DEFAULTS.maxBytes),
  /** Messages one sender address may start per minute (a burst of as many), on this node. */
  perSenderPerMinute: numberIn(MAIL_IN_RANGES.perSenderPerMinute).default(
    MAIL_IN_DEFAULTS.perSenderPerMinute,
  ),
  /** The clock of the rate limit (tests step it). */
  now: callback<() => number>().optional(),
  /** Where refusals and failures are logged (pino-like). */
  log: instance<MailLog>("a logger { info, warn }", isObject).optional(),
});

export interface MailLog {
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
}

export type MailInOptions = z.input<typeof mailInOptionsSchema>;
export type ParsedMailInOptions = z.output<typeof mailInOptionsSchema>;

export function parseMailInOptions(raw: MailInOptions): ParsedMailInOptions {
  return parseConfig(mailInOptionsSchema, raw, "bad_request", "", "Incoming mail option ");
}
