/**
 * Commands that read the store: `records <app-dir>`, `history <record-id>`, `runs`.
 */
import type { Command } from "commander";
import { readAppPackage } from "../bundle/index.ts";
import { queuedRunIdOf, queuedRunStates } from "../queue/index.ts";
import { addStoreOptions, openStoreFrom, type StoreFlags } from "./options.ts";
import { UsageError, writeJson, writeOut } from "./output.ts";

interface ReadFlags extends StoreFlags {
  json?: boolean;
  workspace: string;
  limit: number;
}

function parseFilter(filter: string | undefined): Record<string, unknown> {
  if (!filter) return {};
  const where: Record<string, unknown> = {};
  for (const clause of filter.split(/\s+AND\s+/i)) {
    const match =
      /^\s*([a-z_][a-z0-9_]*)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|(-?\d+(?:\.\d+)?)|(true|false|null))\s*$/i.exec(
        clause,
      );
    if (!match)
      throw new UsageError(
        `Cannot read the filter "${clause.trim()}": use field="text", field=123 or field=true, joined with AND.`,
      );
    const [, field, text, number, literal] = match;
    where[field] =
      text !== undefined
        ? JSON.parse(`"${text}"`)
        : number !== undefined
          ? Number(number)
          : JSON.parse(literal.toLowerCase());
  }
  return where;
}

function positive(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed <= 0)
    throw new UsageError(`--limit must be a positive whole number, got "${value}".`);
  return parsed;
}

function withReadOptions(command: Command): Command {
  return addStoreOptions(command)
    .option("--workspace <alias>", "workspace", process.env.COMIND_WORKSPACE ?? "DEMO")
    .option("--limit <n>", "at most this many entries", positive, 100);
}

export function registerStoreCommands(program: Command): void {
  withReadOptions(
    program.command("records").description("list records of an app").argument("<app-dir>", "app folder"),
  )
    .option("--filter <rlx>", 'equality filter, e.g. c_source="crm-sync" AND c_active=true')
    .action(async (appDir: string, flags: ReadFlags & { filter?: string }) => {
      const alias = readAppPackage(appDir).alias;
      const where = parseFilter(flags.filter);
      const { store, cleanup } = await openStoreFrom(flags, "./data");
      try {
        const records = await store.findRecords({
          workspace: flags.workspace,
          app: alias,
          where,
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
        else
          await writeOut(
            rows.length
              ? rows
                  .map((r) => `#${r.number} ${r.id} ${JSON.stringify(r.title ?? null)} rev ${r.revision}`)
                  .join("\n")
              : `No records in ${alias}.`,
          );
      } finally {
        await cleanup();
      }
    });

  withReadOptions(
    program.command("history").description("change history of a record").argument("<record-id>", "record id"),
  ).action(async (recordId: string, flags: ReadFlags) => {
    const { store, cleanup } = await openStoreFrom(flags, "./data");
    try {
      const entries = await store.history(flags.workspace, recordId, { limit: flags.limit });
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
            : `No history for ${recordId}.`,
        );
    } finally {
      await cleanup();
    }
  });

  withReadOptions(program.command("runs").description("the action-run log"))
    .option("--app <alias>", "only this app")
    .option("--failed", "only failed runs")
    .action(async (flags: ReadFlags & { app?: string; failed?: boolean }) => {
      const { store, cleanup } = await openStoreFrom(flags, "./data");
      try {
        const logged = await store.listRuns({
          workspace: flags.workspace,
          app: flags.app,
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
              : "No runs.",
          );
      } finally {
        await cleanup();
      }
    });
}
