/**
 * What a run page offers about the run's record: a link only to a record that exists, and a
 * re-run that can work — on that record, or, for a failed run whose record was never created (a
 * failed `add`, a custom action on a new record), the same action as a new record with the values
 * it was sent. The button is shown only when the one rule would let the caller start the action.
 */
import type { UserInfo as CurrentUser } from "../../../globals/bridge-contract.ts";
import type { ActionRunLog } from "../../store/index.ts";
import type { ServerContext } from "../context.ts";

/** The run's record as the page shows it. */
export type RunRecord =
  | { kind: "none" }
  | { kind: "stored"; id: string }
  /** A failed run on a new record: the id it would have had was never stored. */
  | { kind: "not-created"; id: string | null }
  /** Not in the store: deleted since (or by this run), or a run from before new records were told apart. */
  | { kind: "gone"; id: string };

export type Rerun = { recordId: string } | { values: Record<string, unknown> };

/** Runs of these actions are not re-run on the same record (a record is added once, deleted once). */
const ONCE_PER_RECORD = new Set(["add", "delete"]);

export async function runRecordOf(ctx: ServerContext, run: ActionRunLog): Promise<RunRecord> {
  const stored = run.recordId ? await ctx.records.getRecord(ctx.workspace, run.recordId) : null;
  if (stored && stored.app === run.app) return { kind: "stored", id: stored.id };
  if (!run.ok && run.newRecordValues) return { kind: "not-created", id: run.recordId };
  return run.recordId ? { kind: "gone", id: run.recordId } : { kind: "none" };
}

/** How the run can be re-run, or null when it cannot. */
export function rerunOf(ctx: ServerContext, run: ActionRunLog, record: RunRecord): Rerun | null {
  if (!ctx.runtime.apps.has(run.app)) return null;
  if (record.kind === "stored" && !ONCE_PER_RECORD.has(run.action)) return { recordId: record.id };
  if (record.kind === "not-created" && run.newRecordValues) return { values: run.newRecordValues };
  return null;
}

/** Whether the page shows the re-run button: admins, when the rule would let them start it. */
export async function mayRerun(
  ctx: ServerContext,
  user: CurrentUser,
  run: ActionRunLog,
  rerun: Rerun | null,
): Promise<boolean> {
  if (!rerun || !user.isAdmin) return false;
  const startable = await ctx.runtime.startableActions({ kind: "user", user }, run.app, [run.action]);
  return startable.length > 0;
}
