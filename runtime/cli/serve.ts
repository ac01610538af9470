/**
 * `comind-runtime serve`: the REST API over the store with every app in --apps installed in the
 * workspace. SIGTERM/SIGINT: stop accepting, finish running requests, close the store.
 * `comind-runtime dev`: the same for app developers, rebuilding apps as their files change.
 */
import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import { Option, type Command } from "commander";
import { createActionRuntime } from "../actions/index.ts";
import { publicError } from "../errors.ts";
import { closeAgents } from "../host/index.ts";
import { createServer } from "../server/index.ts";
import { maxTokenAgeFromEnv, poolSettingsFromEnv } from "./database-env.ts";
import { openWhenReachable } from "./wait-for-store.ts";
import { addSandboxOptions, allowHosts, limitsFrom, openStoreFrom, type SandboxFlags } from "./options.ts";
import { UsageError } from "./output.ts";
import { watchApps } from "./watch-apps.ts";

interface ServeFlags extends SandboxFlags {
  apps: string;
  port: number;
  host: string;
  workers: number;
  console?: boolean;
}

const isLoopback = (host: string) => /^(127\.\d+\.\d+\.\d+|::1|\[::1\]|localhost)$/i.test(host);

function onOff(value: string): boolean {
  const v = value.toLowerCase();
  if (["on", "true", "1", "yes"].includes(v)) return true;
  if (["off", "false", "0", "no"].includes(v)) return false;
  throw new UsageError(`--console must be "on" or "off", got "${value}".`);
}

function oidcFromEnv() {
  const issuer = process.env.OIDC_ISSUER;
  if (!issuer) return undefined;
  return {
    issuer,
    jwksUrl: process.env.JWKS_URL ?? `${issuer.replace(/\/$/, "")}/.well-known/jwks.json`,
    audience: process.env.OIDC_AUDIENCE,
    maxTokenAgeSeconds: maxTokenAgeFromEnv(),
  };
}

function workerCount(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0 || parsed > 64)
    throw new UsageError(`--workers must be a whole number from 0 to 64, got "${value}".`);
  return parsed;
}

function port(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0 || parsed > 65535)
    throw new UsageError(`--port must be a port number, got "${value}".`);
  return parsed;
}

function serveCommand(
  program: Command,
  name: string,
  description: string,
  mode: { watch: boolean; workers: number },
): void {
  addSandboxOptions(
    program
      .command(name)
      .description(description)
      .addOption(new Option("--apps <dir>", "folder of app folders").env("COMIND_APPS").default("./apps"))
      .addOption(new Option("--port <n>", "HTTP port").env("PORT").argParser(port).default(8080))
      .addOption(
        new Option("--host <address>", "address to listen on (0.0.0.0 for all interfaces)")
          .env("HOST")
          .default("127.0.0.1"),
      )
      .addOption(
        new Option(
          "--console <on|off>",
          "serve the run console at /console (default: on when listening on loopback, off otherwise)",
        )
          .env("COMIND_CONSOLE")
          .argParser(onOff),
      )
      .addOption(
        new Option("--workers <n>", "sandbox worker processes (0 = run isolates in the server process)")
          .env("COMIND_WORKERS")
          .argParser(workerCount)
          .default(mode.workers),
      ),
  ).action(async (flags: ServeFlags) => {
    if (!existsSync(flags.apps)) throw new UsageError(`Apps folder "${flags.apps}" does not exist.`);
    const dataDir = flags.data ?? "./data";
    const { store, cleanup } = await openWhenReachable(() =>
      openStoreFrom({ ...flags, data: dataDir }, dataDir, poolSettingsFromEnv(flags.workers)),
    );
    const runtime = await createActionRuntime({
      store,
      workspace: flags.workspace,
      limits: limitsFrom(flags),
      allowHosts: allowHosts(flags),
      envFile: flags.env,
      workers: flags.workers,
    });
    const server = await createServer({
      runtime,
      store,
      workspace: flags.workspace,
      dataDir,
      oidc: oidcFromEnv(),
      logger: { level: process.env.LOG_LEVEL ?? "info" },
      console: flags.console ?? isLoopback(flags.host),
    });
    const apps = await runtime.loadAppsFrom(flags.apps, (dir, error) =>
      server.log.error(
        { app: dir, error: publicError(error) },
        "app not installed: fix it (see `comind-runtime check`) and restart",
      ),
    );
    await server.listen({ port: flags.port, host: flags.host });
    server.log.info(
      { workspace: flags.workspace, apps: apps.map((app) => app.alias), store: store.kind },
      "serving; create an API token with `npx comind-runtime token create <user> --admin`",
    );
    const stopWatching = mode.watch ? watchApps(runtime, flags.apps, server.log) : () => undefined;
    let closing = false;
    const shutdown = async (signal: string) => {
      if (closing) return;
      closing = true;
      stopWatching();
      server.log.info({ signal }, "shutting down: finishing running requests");
      await server.close();
      await runtime.close();
      await closeAgents();
      await cleanup();
    };
    process.once("SIGTERM", () => void shutdown("SIGTERM"));
    process.once("SIGINT", () => void shutdown("SIGINT"));
  });
}

export function registerServe(program: Command): void {
  serveCommand(program, "serve", "serve the REST API (seed 000) with record actions that run action logic", {
    watch: false,
    workers: availableParallelism(),
  });
  serveCommand(
    program,
    "dev",
    "serve for app development: isolates in-process, apps rebuilt when their files change",
    { watch: true, workers: 0 },
  );
}
