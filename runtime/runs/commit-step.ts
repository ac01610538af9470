/**
 * The commit at the end of an action, with the two guarantees clients retry on: a change sent
 * with an idempotency key commits at most once (an earlier commit is answered instead), and a
 * commit whose outcome is unknown is reported as such (`commit_unknown`), never as a failure.
 */
import type { ActionRequest } from "../actions/index.ts";
import { isRuntimeError, RuntimeError } from "../errors.ts";
import type { ChangeSet, RecordPort, RunCommit, RunPort, StoredRecord } from "../store/index.ts";

export type CommitOutcome =
  | { kind: "committed"; records: StoredRecord[] }
  | { kind: "replayed"; previous: RunCommit };

/** An earlier commit made under this request's commit key, if any. */
export async function earlierCommit(store: RunPort, request: ActionRequest): Promise<RunCommit | null> {
  if (!request.commitKey) return null;
  return store.findCommit({ idempotencyKey: request.commitKey });
}

export async function commitOnce(
  store: RecordPort & RunPort,
  request: ActionRequest,
  changes: ChangeSet,
  deadline: number,
): Promise<CommitOutcome> {
  if (Date.now() > deadline)
    throw new RuntimeError(
      "timeout",
      "The action finished after the request's time was up, so nothing was written. Retry the action.",
    );
  request.onCommit?.(changes.runId, "start");
  try {
    const records = await store.commit({ ...changes, idempotencyKey: request.commitKey });
    request.onCommit?.(changes.runId, "committed");
    return { kind: "committed", records };
  } catch (error) {
    const unknown = isRuntimeError(error) && error.code === "commit_unknown";
    // A concurrent retry with the same key committed first: the unique key refused this one.
    const previous = unknown ? null : await earlierCommit(store, request).catch(() => null);
    if (previous) {
      request.onCommit?.(changes.runId, "failed");
      return { kind: "replayed", previous };
    }
    request.onCommit?.(changes.runId, unknown ? "unknown" : "failed");
    if (unknown) throw new RuntimeError("commit_unknown", error.message.replace("{runId}", changes.runId));
    throw error;
  }
}
