/**
 * `comind-runtime run <app-dir> <action-uid>`: runs one action on one record and prints the
 * logs and a summary (or one JSON document with --json). Exit 0 ok, 1 action failed, 2 bad usage.
 */
import { existsSync, readFileSync } from "node:fs";
import type { Command } from "commander";
import type { ActionResult, LoadedApp } from "../actions/index.ts";
import { createActionRuntime, runDocument } from "../runs/index.ts";
import { asDeveloper, LOCAL_DEVELOPER } from "../access/index.ts";
import { type ErrorCode, isRuntimeError } from "../errors.ts";
import { closeAgents } from "../host/index.ts";
import { withHelp } from "./help.ts";
import {
  addSandboxOptions,
  openStoreFrom,
  runtimeOptionsFrom,
  SANDBOX_ENV,
  type SandboxFlags,
} from "./options.ts";
import { createProgress } from "./progress.ts";
import { EXIT, UsageError, writeErr, writeJson, writeOut } from "./output.ts";
import { resolveEnvFile } from "./env-file.ts";

interface RunFlags extends SandboxFlags {
  record?: string;
  user?: string;
}

/** Errors of loading the app folder (as `check` reports them), not of running the action. */
const LOAD_CODES: ReadonlySet<ErrorCode> = new Set(["app_invalid", "build_error"]);

function readRecordFile(path: string): Record<string, unknown> {
  if (!existsSync(path)) throw new UsageError(`Record file "${path}" does not exist.`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new UsageError(`Record file "${path}" is not valid JSON: ${(error as Error).message}`);
  }
  if (!parsed || typeof parsed !== "object" || Array.isArray(parsed))
    throw new UsageError(`Record file "${path}" must hold one JSON object of field values.`);
  return parsed as Record<string, unknown>;
}

function summary(result: ActionResult, action: string): string {
  const lines = result.logs.map((entry) => `[${entry.level}] ${entry.message}`);
  if (result.ok) {
    lines.push(
      `✔ ${action} succeeded on record ${result.recordId}${result.created ? " (created)" : ""}${result.ran ? "" : " (the app has no logic for this action)"}`,
    );
    const calls = result.httpCalls.length;
    if (calls)
      lines.push(
        `  ${calls} HTTP request${calls === 1 ? "" : "s"}: ${result.httpCalls.map((c) => `${c.method} ${c.host}${c.path} → ${c.status ?? c.error}`).join(", ")}`,
      );
  } else {
    lines.push(`✖ ${action} failed: ${result.error.code}: ${result.error.message}`);
    const frames = result.error.stack.split("\n").slice(1);
    if (frames.length) lines.push(...frames);
  }
  return lines.join("\n");
}

/**
 * An app that does not build fails the run like `check` fails: exit 1, and with --json one
 * document with the error (never an empty stdout).
 */
async function reportLoadFailure(error: unknown, flags: RunFlags): Promise<void> {
  if (!flags.json || !isRuntimeError(error) || !LOAD_CODES.has(error.code)) throw error;
  await writeJson({
    ok: false,
    error: { code: error.code, message: error.message, stack: "" },
    logs: [],
    httpCalls: [],
  });
  process.exitCode = EXIT.failed;
}

export function registerRun(program: Command): void {
  const command = addSandboxOptions(
    program
      .command("run")
      .description("run one action of an app on one record")
      .argument("<app-dir>", "app folder (package.json with comindApp)")
      .argument("<action-uid>", "action uid, or add / edit / delete")
      .option(
        "--record <file.json>",
        'record to run on: JSON object of field values (an "id" already in the store loads that record)',
      )
      .option("--user <id>", "id of the current user", "local-developer"),
  );
  withHelp(command, {
    env: SANDBOX_ENV,
    exitCodes: {
      0: "the action succeeded",
      1: "the action failed, or the app does not build (with --json: one document with the error)",
      2: "bad usage: a missing app folder or record file, an unknown action, a bad option",
    },
    examples: [
      "npx comind-runtime run apps/app-crm-contact sync_contacts --data ./data --allow-host 127.0.0.1",
    ],
  });
  command.action(async (appDir: string, actionUid: string, flags: RunFlags) => {
    const values = flags.record ? readRecordFile(flags.record) : {};
    if (!existsSync(appDir)) throw new UsageError(`App folder "${appDir}" does not exist.`);
    const envFile = resolveEnvFile(flags.env);
    // A file named with --env is what the user asked for; the one found by itself is announced.
    if (envFile.note && !flags.env) await writeErr(envFile.note);
    const { store, cleanup } = await openStoreFrom(flags, "temp");
    const runtime = await createActionRuntime({
      store,
      ...runtimeOptionsFrom(flags, undefined, envFile.path),
    });
    try {
      let app: LoadedApp;
      try {
        app = await runtime.loadApp(appDir);
      } catch (error) {
        await reportLoadFailure(error, flags);
        return;
      }
      if (!app.actionUids.has(actionUid))
        throw new UsageError(
          `Action "${actionUid}" is not defined in app ${app.alias} (known: ${[...app.actionUids].join(", ")}).`,
        );
      const { id, ...fields } = values;
      const progress = createProgress(process.stdout, { json: flags.json });
      const result = await runtime.run({
        onImported: (rows) => progress.update(`importData: ${rows.toLocaleString("en-US")} rows imported…`),
        app: app.alias,
        action: actionUid,
        recordId: typeof id === "string" && id ? id : undefined,
        values: fields,
        createIfMissing: true,
        source: "cli",
        // The developer on their own machine, named explicitly (an admin of the local store).
        caller: asDeveloper(
          flags.user ? { id: flags.user, name: flags.user, isAdmin: true } : LOCAL_DEVELOPER,
        ),
      });
      progress.done();
      if (flags.json) {
        await writeJson(runDocument(result));
      } else {
        await writeOut(summary(result, actionUid));
      }
      process.exitCode = result.ok ? EXIT.ok : EXIT.failed;
    } finally {
      await runtime.close();
      await closeAgents();
      await cleanup();
    }
  });
}
