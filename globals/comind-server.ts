/**
 * `ComindServer` inside the isolate: records of the workspace, sleep, ids, vars. The documented
 * Comind forms (`queryAppRecords(wksApp, relex, fields?, sortBy?)`, `createAppRecord(appAlias,
 * data, runAsUser?)`, ...) and our earlier object forms both work. Every write joins the action's
 * transaction: it is committed with the action or not at all.
 *
 * @example
 *   const open = ComindServer.queryAppRecords("HELPDESK", 'state="open" AND c_priority>2', ["title"]);
 */
import type {
  EnqueueSpec,
  InboundRequest,
  JsonRecord,
  LookupOption,
  RecordQuery,
} from "./bridge-contract.ts";
import { getVars } from "./app-settings.ts";
import { callAsync } from "./host-call.ts";
import { Acls } from "./acls.ts";
import { currentAction, currentEntity } from "./entity.ts";
import { currentAttempt, currentRequest } from "./job.ts";
import { queryApp, queryAppCached, queryAppRecords, queryAppRecordsCached } from "./record-query.ts";

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

function optionalUser(runAsUser: unknown): string | undefined {
  if (runAsUser === undefined || runAsUser === null || runAsUser === "") return undefined;
  if (typeof runAsUser !== "string") throw new TypeError("runAsUser: pass a user id or e-mail.");
  return runAsUser;
}

/**
 * Creates a record. Documented form: `createAppRecord(appAlias, data, runAsUser?)`;
 * also `createAppRecord(data, appAlias?)`.
 */
function createAppRecord<T = Record<string, any>>(appAlias: string, data: JsonRecord, runAsUser?: string): T;
function createAppRecord<T = Record<string, any>>(data: JsonRecord, appAlias?: string): T;
function createAppRecord(first: unknown, second?: unknown, runAsUser?: string): JsonRecord {
  if (typeof first === "string") {
    return callAsync("records.create", {
      appAlias: first,
      values: (second as JsonRecord) ?? {},
      runAsUser: optionalUser(runAsUser),
    });
  }
  return callAsync("records.create", {
    values: (first as JsonRecord) ?? {},
    appAlias: typeof second === "string" ? second : undefined,
  });
}

export const ComindServer = {
  /** The uid of the running action (transition), e.g. "edit" or "escalate". */
  get action(): string {
    return currentAction().action;
  },
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
  queryApp,
  queryAppRecords,
  queryAppCached,
  queryAppRecordsCached,
  getAppRecord(id: string): JsonRecord | null {
    return callAsync("records.get", { id: requireId(id, "getAppRecord") });
  },
  createAppRecord,
  /**
   * Applies `values` to another record and fires `transition` ("edit" or an action uid) on it,
   * checked against (and run as) `runAsUser` when given.
   */
  updateAppRecord<T = Record<string, any>>(
    id: string,
    transition: string = "edit",
    values: JsonRecord = {},
    runAsUser?: string,
  ): T {
    return callAsync("records.update", {
      id: requireId(id, "updateAppRecord"),
      transition: String(transition),
      values,
      runAsUser: optionalUser(runAsUser),
    }) as T;
  },
  deleteAppRecord(id: string, runAsUser?: string): { deleted: boolean } {
    return callAsync("records.delete", {
      id: requireId(id, "deleteAppRecord"),
      runAsUser: optionalUser(runAsUser),
    });
  },
  /** Creates one record per item of `dataList` in `wksApp` ("WS!APP" or "APP"); returns them. */
  bulkCreateAppRecords<T = Record<string, any>>(wksApp: string, dataList: JsonRecord[]): T[] {
    if (typeof wksApp !== "string" || !Array.isArray(dataList))
      throw new TypeError('ComindServer.bulkCreateAppRecords: pass ("WS!APP", [{...}, ...]).');
    return callAsync("records.bulkCreate", { wksApp, dataList }) as T[];
  },
  /** Deletes the records with these ids; returns how many existed. */
  bulkDeleteAppRecords(ids: string[]): { deleted: number } {
    if (!Array.isArray(ids)) throw new TypeError("ComindServer.bulkDeleteAppRecords: pass an array of ids.");
    return callAsync("records.bulkDelete", { ids: ids.map((id) => requireId(id, "bulkDeleteAppRecords")) });
  },
  /** `{ value, caption, position }` of a lookup field's value (default: the value in `entity`). */
  resolveLookup(fieldName: string, value?: unknown): LookupOption | null {
    const current = value === undefined ? currentEntity()[String(fieldName)] : value;
    return callAsync("records.lookup", { field: String(fieldName), value: current ?? null });
  },
  /** The value of a lookup field whose caption is `caption` (case-insensitive), or null. */
  matchLookup(fieldName: string, caption: string): string | null {
    return (
      callAsync("records.lookup", { field: String(fieldName), caption: String(caption ?? "") })?.value ?? null
    );
  },
  /**
   * A signed token that lets a client read ONE record through the REST API without an account
   * (`GET /api/access-pass?pass={token}`), valid for `ttlSeconds` (default 1 hour, at most 7 days).
   */
  getAccessPass(
    recordId: string,
    ttlSeconds?: number,
  ): { token: string; recordId: string; expiresAt: string } {
    return callAsync("records.accessPass", {
      id: requireId(recordId, "getAccessPass"),
      ttlSeconds: ttlSeconds === undefined ? undefined : Number(ttlSeconds),
    });
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
    return callAsync("utils.htmlToText", { html: String(html ?? "") });
  },
  getVars,
  Acls,
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
  /**
   * The webhook delivery (`{ headers, body, receivedAt }`) or the incoming e-mail (the same plus
   * `email`: from, subject, text, html, attachments, ...) that started this run, else null.
   */
  get request(): InboundRequest | null {
    return currentRequest();
  },
};

export type { RecordQuery };
