/**
 * `comind-runtime replay <runId>`: re-runs a recorded run (a production failure) in a local
 * isolate against the app folder on disk — the same bundle or an edited one. Every host call that
 * reaches the world is answered from the recording in order; the command prints the outcome, the
 * logs, every host call that did not match the recording (both sides) and the difference from the
 * recorded outcome. The recording comes from the server (`--from` + `--token`, GET
 * /api/runs/{runId}/recording) or from a downloaded file (`--file`).
 */
import { existsSync, readFileSync } from "node:fs";
import { type Command, Option } from "commander";
import type { LoadedApp } from "../actions/index.ts";
import { RuntimeError } from "../errors.ts";
import { closeAgents } from "../host/index.ts";
import { createActionRuntime, type ReplayReport } from "../runs/index.ts";
import { withHelp } from "./help.ts";
import {
  addSandboxOptions,
  openStoreFrom,
  runtimeOptionsFrom,
  SANDBOX_ENV,
  type SandboxFlags,
} from "./options.ts";
import { EXIT, UsageError, writeErr, writeJson, writeOut } from "./output.ts";
import { resolveEnvFile } from "./env-file.ts";

interface ReplayFlags extends SandboxFlags {
  from?: string;
  token?: string;
  file?: string;
  app: string;
  live?: boolean;
}

/** Longest JSON of one side of a mismatch printed in the text report (--json has it whole). */
const SHOWN_CHARS = 400;

function readRecordingFile(path: string): unknown {
  if (!existsSync(path)) throw new UsageError(`Recording file "${path}" does not exist.`);
  try {
    return JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new UsageError(`Recording file "${path}" is not valid JSON: ${(error as Error).message}`);
  }
}

async function fetchRecording(from: string, token: string | undefined, runId: string): Promise<unknown> {
  let url: URL;
  try {
    url = new URL(`api/runs/${encodeURIComponent(runId)}/recording`, from.endsWith("/") ? from : `${from}/`);
  } catch {
    throw new UsageError(`--from "${from}" is not a URL; name the server like https://comind.example.com.`);
  }
  if (!token)
    throw new UsageError(
      "--from needs --token (or COMIND_TOKEN): an API token of the run's user or an admin.",
    );
  let response: Response;
  try {
    response = await fetch(url, { headers: { authorization: `CMW_AUTH_CODE ${token}` } });
  } catch (error) {
    throw new RuntimeError(
      "bad_request",
      `Could not reach ${url.origin}: ${(error as Error).message}. Check --from, or download the recording from the console and use --file.`,
    );
  }
  const body = await response.text();
  if (!response.ok) {
    let detail = `HTTP ${response.status}`;
    try {
      const error = (JSON.parse(body) as { error?: { code?: string; message?: string } }).error;
      if (error?.code) detail = `${error.code}: ${error.message ?? ""}`;
    } catch {
      // Not a JSON error: the status says enough.
    }
    throw new RuntimeError("bad_request", `The server refused the recording of run ${runId} (${detail}).`);
  }
  return JSON.parse(body);
}

const shown = (value: unknown) => {
  const text = JSON.stringify(value);
  return text.length > SHOWN_CHARS ? `${text.slice(0, SHOWN_CHARS)}… (${text.length} chars)` : text;
};

function outcomeLine(outcome: ReplayReport["replayed"]): string {
  return outcome.ok ? "succeeded" : `failed: ${outcome.error?.code}: ${outcome.error?.message}`;
}

export function replaySummary(report: ReplayReport): string {
  const lines = [
    `Replaying run ${report.runId}: ${report.app} ${report.action} (${report.sameBundle ? "the recorded bundle" : "an edited bundle"})`,
  ];
  for (const entry of report.logs) lines.push(`[${entry.level}] ${entry.message}`);
  for (const mismatch of report.mismatches) {
    lines.push(
      `✖ host call #${mismatch.index + 1} does not match the recording${mismatch.live ? " (sent live)" : ""}:`,
    );
    lines.push(
      mismatch.recorded
        ? `    recorded: ${mismatch.recorded.name} ${shown(mismatch.recorded.arg)}`
        : "    recorded: (no more calls)",
    );
    lines.push(`    replayed: ${mismatch.replayed.name} ${shown(mismatch.replayed.arg)}`);
  }
  if (report.unusedCalls.length)
    lines.push(
      `  ${report.unusedCalls.length} recorded host call(s) not made: ${report.unusedCalls.map((call) => call.name).join(", ")}`,
    );
  lines.push(`${report.replayed.ok ? "✔" : "✖"} replayed: ${outcomeLine(report.replayed)}`);
  lines.push(`  recorded: ${outcomeLine(report.recorded)}`);
  if (report.differences.length === 0) lines.push("Same outcome as the recorded run.");
  else {
    lines.push("Differences from the recorded run:");
    for (const difference of report.differences)
      lines.push(`  ${difference.path}: ${shown(difference.recorded)} → ${shown(difference.replayed)}`);
  }
  return lines.join("\n");
}

export function registerReplay(program: Command): void {
  const command = addSandboxOptions(
    program
      .command("replay")
      .description(
        "re-run a recorded run locally: host calls answered from its recording, a diff against its outcome",
      )
      .argument("<run-id>", "id of the run (GET /api/runs/{runId}, the console's run page)")
      .addOption(
        new Option("--from <url>", "server to fetch the recording from (GET /api/runs/{runId}/recording)"),
      )
      .addOption(
        new Option("--token <token>", "API token for --from: the run's user or an admin").env("COMIND_TOKEN"),
      )
      .addOption(
        new Option("--file <run.json>", "a downloaded recording instead of --from").conflicts("from"),
      )
      .addOption(
        new Option("--app <dir>", "the app folder to replay against (as recorded, or edited)").default("."),
      )
      .addOption(
        new Option(
          "--live",
          "host calls that do not match the recording go to the network (the allow-list applies)",
        ),
      ),
  );
  withHelp(command, {
    env: { ...SANDBOX_ENV, COMIND_TOKEN: "API token for --from" },
    exitCodes: {
      0: "the replayed action succeeded and every host call matched the recording",
      1: "the replayed action failed, or a host call did not match the recording",
      2: "bad usage: neither --from nor --file, a missing file or app folder, a recording of another app",
    },
    examples: [
      "npx comind-runtime replay 0193c0de-… --from https://comind.example.com --token $COMIND_TOKEN --app apps/app-crm-contact",
      "npx comind-runtime replay 0193c0de-… --file run-0193c0de-….json --app apps/app-crm-contact --live",
    ],
  });
  command.action(async (runId: string, flags: ReplayFlags) => {
    if (!flags.from && !flags.file)
      throw new UsageError(
        "Name where the recording is: --from <server URL> --token <token>, or --file <run.json>.",
      );
    if (!existsSync(flags.app)) throw new UsageError(`App folder "${flags.app}" does not exist.`);
    const recording = flags.file
      ? readRecordingFile(flags.file)
      : await fetchRecording(flags.from!, flags.token, runId);
    const recorded = recording as { runId?: unknown; app?: unknown };
    if (flags.file && recorded?.runId !== runId)
      throw new UsageError(`The file holds the recording of run ${String(recorded?.runId)}, not ${runId}.`);
    const envFile = resolveEnvFile(flags.env);
    const { store, cleanup } = await openStoreFrom(flags, "temp");
    const runtime = await createActionRuntime({
      store,
      ...runtimeOptionsFrom(flags, undefined, envFile.path),
    });
    try {
      const app: LoadedApp = await runtime.loadApp(flags.app);
      if (typeof recorded.app === "string" && app.alias.toUpperCase() !== recorded.app.toUpperCase())
        throw new UsageError(`The run is of app ${recorded.app}; --app "${flags.app}" is app ${app.alias}.`);
      const report = await runtime.replay(recording, { live: flags.live });
      if (flags.json) await writeJson(report);
      else await writeOut(replaySummary(report));
      process.exitCode = report.replayed.ok && report.mismatches.length === 0 ? EXIT.ok : EXIT.failed;
    } catch (error) {
      if (error instanceof UsageError || !(error instanceof RuntimeError)) throw error;
      await writeErr(`comind-runtime: ${error.code}: ${error.message}`);
      process.exitCode = EXIT.failed;
    } finally {
      await runtime.close();
      await closeAgents();
      await cleanup();
    }
  });
}
