/**
 * Commands that read the store: `records <app-dir>`, `history <record-id>`, `runs`. They never
 * create a store: a --data folder without one is an error naming the folder. An app alias (`runs
 * --app`) is matched in any case, as everywhere (app-alias.ts); a record id that is not in the
 * store is `not_found` (exit 1), not an empty history.
 */
import { type Command, Option } from "commander";
import { appAliasKey } from "../app-alias.ts";
import { RuntimeError } from "../errors.ts";
import { assertKnownFilterFields, loadApp } from "../actions/index.ts";
import { readAppPackage } from "../bundle/index.ts";
import { DEFAULT_LIMITS } from "../sandbox/index.ts";
import { parseRlx } from "../rlx/index.ts";
import type { FilterNode } from "../store/index.ts";
import { withHelp } from "./help.ts";
import { queuedRunIdOf, queuedRunStates } from "../queue/index.ts";
import { CLI_RANGES, numberOption } from "./option-schema.ts";
import { addStoreOptions, openStoreFrom, type StoreFlags } from "./options.ts";
import { UsageError, writeJson, writeOut } from "./output.ts";

interface ReadFlags extends StoreFlags {
  json?: boolean;
  workspace: string;
  limit: number;
}

const READ_EXIT_CODES = {
  0: "success (also when nothing is found)",
  1: "the store cannot be opened (store_unavailable) or the app does not build",
  2: "bad usage: no store in --data, a malformed --filter, a bad --limit",
};

function withReadOptions(command: Command): Command {
  return addStoreOptions(command)
    .addOption(new Option("--workspace <alias>", "workspace").env("COMIND_WORKSPACE").default("DEMO"))
    .addOption(numberOption("--limit", "at most this many entries", CLI_RANGES.listLimit).default(100));
}

/** Where the entries were looked for, for "nothing found" messages. */
function storeName(flags: StoreFlags): string {
  return flags.databaseUrl ? "the Postgres store" : `the store in "${flags.data ?? "./data"}"`;
}

/** The REST API's rlx parser, with the app's fields checked the same way. */
async function filterFor(appDir: string, text: string | undefined): Promise<FilterNode | undefined> {
  if (!text?.trim()) return undefined;
  let filter: FilterNode | undefined;
  try {
    filter = parseRlx(text, { currentUser: "local-developer" });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const app = await loadApp(appDir, DEFAULT_LIMITS.memoryMb);
  try {
    assertKnownFilterFields(filter, [app]);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  return filter;
}

function registerRecords(program: Command): void {
  const command = withReadOptions(
    program.command("records").description("list records of an app").argument("<app-dir>", "app folder"),
  ).option("--filter <rlx>", 'an rlx filter as in the REST API, e.g. c_total>100 AND state!="closed"');
  withHelp(command, {
    exitCodes: READ_EXIT_CODES,
    examples: [
      `npx comind-runtime records apps/app-crm-contact --filter 'c_source="crm-sync" AND title~"ada"'`,
    ],
  });
  command.action(async (appDir: string, flags: ReadFlags & { filter?: string }) => {
    const alias = readAppPackage(appDir).alias;
    const filter = await filterFor(appDir, flags.filter);
    const { store, cleanup } = await openStoreFrom(flags, "./data", { mustExist: true });
    try {
      const records = await store.findRecords({
        workspace: flags.workspace,
        app: alias,
        filter,
        limit: flags.limit,
      });
      const rows: Record<string, unknown>[] = records.map((r) => ({
        id: r.id,
        number: r.number,
        revision: r.revision,
        ...r.fields,
        creation_date: r.creationDate,
        update_date: r.updateDate,
      }));
      if (flags.json) await writeJson(rows);
      else if (rows.length)
        await writeOut(
          rows
            .map((r) => `#${r.number} ${r.id} ${JSON.stringify(r.title ?? null)} rev ${r.revision}`)
            .join("\n"),
        );
      else
        await writeOut(
          `No records of ${alias}${filter ? " match the filter" : ""} in ${storeName(flags)} (workspace ${flags.workspace}).`,
        );
    } finally {
      await cleanup();
    }
  });
}

function registerHistory(program: Command): void {
  const command = withReadOptions(
    program.command("history").description("change history of a record").argument("<record-id>", "record id"),
  );
  withHelp(command, {
    exitCodes: {
      0: "success (also a record whose history is empty)",
      1: "no record with this id in the store (not_found), or the store cannot be opened (store_unavailable)",
      2: READ_EXIT_CODES[2],
    },
    examples: ["npx comind-runtime history 5b0c6f3e-… --data ./data"],
  });
  command.action(async (recordId: string, flags: ReadFlags) => {
    const { store, cleanup } = await openStoreFrom(flags, "./data", { mustExist: true });
    try {
      const entries = await store.history(flags.workspace, recordId, { limit: flags.limit });
      // A deleted record keeps its history; no history and no record means a wrong id.
      if (!entries.length && !(await store.getRecord(flags.workspace, recordId)))
        throw new RuntimeError(
          "not_found",
          `No record ${recordId.slice(0, 100)} in ${storeName(flags)} (workspace ${flags.workspace}); list record ids with \`comind-runtime records <app-dir>\`.`,
        );
      if (flags.json) await writeJson(entries);
      else
        await writeOut(
          entries.length
            ? entries
                .map(
                  (e) =>
                    `rev ${e.revision} ${e.timestamp} ${e.actor} ${e.transition}: ${e.changes.map((c) => `${c.field} ${JSON.stringify(c.old)} → ${JSON.stringify(c.new)}`).join("; ") || "(no field changes)"}`,
                )
                .join("\n")
            : `No history for ${recordId} in ${storeName(flags)} (workspace ${flags.workspace}).`,
        );
    } finally {
      await cleanup();
    }
  });
}

function registerRuns(program: Command): void {
  const command = withReadOptions(program.command("runs").description("the action-run log"))
    .option("--app <alias>", "only this app")
    .option("--failed", "only failed runs");
  withHelp(command, {
    exitCodes: READ_EXIT_CODES,
    examples: ["npx comind-runtime runs --app CONTACT --failed --json"],
  });
  command.action(async (flags: ReadFlags & { app?: string; failed?: boolean }) => {
    const { store, cleanup } = await openStoreFrom(flags, "./data", { mustExist: true });
    try {
      const logged = await store.listRuns({
        workspace: flags.workspace,
        app: flags.app === undefined ? undefined : appAliasKey(flags.app),
        failedOnly: flags.failed,
        limit: flags.limit,
      });
      // Attempts of queued runs carry their run's state: a run that used up its attempts is dead.
      const states = await queuedRunStates(
        store,
        logged.map((r) => queuedRunIdOf(r.id)),
      );
      const runs = logged.map((r) => {
        const queued = states.get(queuedRunIdOf(r.id));
        return queued ? { ...r, queued } : r;
      });
      const dead = (r: (typeof runs)[number]) =>
        "queued" in r && r.queued?.status === "dead" ? ` DEAD after ${r.queued.attempt} attempts` : "";
      if (flags.json) await writeJson(runs);
      else
        await writeOut(
          runs.length
            ? runs
                .map(
                  (r) =>
                    `${r.startedAt} ${r.app}.${r.action} ${r.ok ? "ok" : `FAILED ${r.errorCode}: ${r.errorMessage}`}${dead(r)} (${r.source}, record ${r.recordId ?? "-"})`,
                )
                .join("\n")
            : `No${flags.failed ? " failed" : ""} runs${flags.app ? ` of ${appAliasKey(flags.app)}` : ""} in ${storeName(flags)} (workspace ${flags.workspace}).`,
        );
    } finally {
      await cleanup();
    }
  });
}

export function registerStoreCommands(program: Command): void {
  registerRecords(program);
  registerHistory(program);
  registerRuns(program);
}
