/**
 * `ComindServer` inside the isolate: records of the current workspace, sleep, ids, vars.
 * Every write joins the action's transaction: it is committed with the action or not at all.
 *
 * @example
 *   const { created, updated } = ComindServer.importData({ data: rows, keyFields: ["c_external_id"] });
 */
import type { EnqueueSpec, InboundRequest, JsonRecord, RecordQuery } from "./bridge-contract.ts";
import { getVars } from "./app-settings.ts";
import { callAsync, callSync } from "./host-call.ts";
import { currentAttempt, currentRequest } from "./job.ts";

const ErrorCtor = Error;

function runAtOf(value: unknown): string | number | undefined {
  if (value === undefined || value === null) return undefined;
  if (value instanceof Date) return value.toISOString();
  if (typeof value === "string" || typeof value === "number") return value;
  throw new TypeError("ComindServer.enqueue: runAt must be a Date, an ISO date-time or epoch milliseconds.");
}

function requireId(id: unknown, caller: string): string {
  if ((typeof id !== "string" && typeof id !== "number") || String(id) === "")
    throw new TypeError(`ComindServer.${caller}: pass a record id.`);
  return String(id);
}

export const ComindServer = {
  /** Upserts rows into the current app (or `appAlias`), matching existing records on `keyFields`. */
  importData(options: { data: JsonRecord[]; keyFields: string[]; appAlias?: string }): {
    created: number;
    updated: number;
  } {
    if (!options || !Array.isArray(options.data))
      throw new TypeError("ComindServer.importData: pass { data: [...rows], keyFields: [...] }.");
    const keyFields = Array.isArray(options.keyFields) ? options.keyFields.map(String) : [];
    return callAsync("records.import", { data: options.data, keyFields, appAlias: options.appAlias });
  },
  /** Records of the current app (or `appAlias`) whose fields equal `filter`; sees this action's own writes. */
  queryAppRecords(query: RecordQuery = {}): JsonRecord[] {
    return callAsync("records.query", query);
  },
  getAppRecord(id: string): JsonRecord | null {
    return callAsync("records.get", { id: requireId(id, "getAppRecord") });
  },
  createAppRecord(values: JsonRecord, appAlias?: string): JsonRecord {
    return callAsync("records.create", { values: values ?? {}, appAlias });
  },
  /** Applies `values` to another record and fires `transition` ("edit" or an action uid) on it. */
  updateAppRecord(id: string, transition: string = "edit", values: JsonRecord = {}): JsonRecord {
    return callAsync("records.update", {
      id: requireId(id, "updateAppRecord"),
      transition: String(transition),
      values,
    });
  },
  deleteAppRecord(id: string): { deleted: boolean } {
    return callAsync("records.delete", { id: requireId(id, "deleteAppRecord") });
  },
  /** Blocks the action for `ms` milliseconds (counts against its wall-clock limit). */
  sleep(ms: number): void {
    const value = Number(ms);
    if (!(value >= 0)) throw new TypeError("ComindServer.sleep: pass a number of milliseconds.");
    callAsync("server.sleep", { ms: value });
  },
  /** Next id of a per-workspace counter, e.g. "INV-1", "INV-2". */
  generateUniqueIdForPrefix(prefix: string): string {
    return callAsync("ids.uniqueForPrefix", { prefix: String(prefix ?? "") });
  },
  htmlToText(html: string): string {
    return callSync("utils.htmlToText", { html: String(html ?? "") });
  },
  getVars,
  /**
   * Runs `action` later, on the queue: the job is committed with this action's writes, or not
   * at all. `key` dedupes (no second pending job with the same key).
   *
   * @example ComindServer.enqueue("send_invoice", { id: entity.id, runAt: Date.now() + 60_000, key: `invoice-${entity.id}` })
   */
  enqueue(
    action: string,
    options: {
      id?: string;
      values?: JsonRecord;
      runAt?: Date | string | number;
      key?: string;
      appAlias?: string;
    } = {},
  ): { runId: string } {
    if (typeof action !== "string" || action === "")
      throw new TypeError("ComindServer.enqueue: pass the action uid to run.");
    const spec: EnqueueSpec = {
      action,
      id: options?.id === undefined ? undefined : requireId(options.id, "enqueue"),
      values: options?.values,
      runAt: runAtOf(options?.runAt),
      key: options?.key === undefined ? undefined : String(options.key),
      appAlias: options?.appAlias,
    };
    return callAsync("queue.enqueue", spec);
  },
  /**
   * Fails this attempt so that the queue runs it again (after `afterMs`, or the app's backoff);
   * nothing of this attempt is written. Outside the queue the action simply fails.
   */
  retryLater(reason: string, afterMs?: number): never {
    const message = String(reason ?? "retry later");
    callAsync("queue.retryLater", {
      reason: message,
      afterMs: afterMs === undefined ? undefined : Number(afterMs),
    });
    const error = new ErrorCtor(message);
    Object.defineProperty(error, "code", { value: "retry_later", enumerable: true });
    throw error;
  },
  /** Which attempt of a queued run this is: 1 on the first try (and for direct runs). */
  get attempt(): number {
    return currentAttempt();
  },
  /** The webhook delivery that started this run (`{ headers, body, receivedAt }`), else null. */
  get request(): InboundRequest | null {
    return currentRequest();
  },
};
