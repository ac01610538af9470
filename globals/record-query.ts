/**
 * `ComindServer.queryApp` / `queryAppRecords` (+ `*Cached`): the documented positional form
 * `(wksApp, relex, fields?, sortBy?)`, the params object `{ wksApp, relex, fields, sortBy,
 * limitRecords, skipRecords }`, and our earlier equality form `{ filter, limit, skip, sortBy, appAlias }`.
 */
import type { JsonRecord, RecordQuery, RlxQuery } from "./bridge-contract.ts";
import { callAsync } from "./host-call.ts";

export interface QueryParams {
  /** "WS!APP" or the app alias alone (current workspace); default: the current app. */
  wksApp?: string;
  /** rlx filter, e.g. `state="open" AND c_total>100`. */
  relex?: string;
  fields?: string[];
  /** e.g. "c_total desc, title" */
  sortBy?: string;
  limitRecords?: number;
  skipRecords?: number;
}

const PARAM_KEYS = ["wksApp", "relex", "fields", "limitRecords", "skipRecords"];

function fieldList(fields: unknown): string[] | undefined {
  if (fields === undefined || fields === null) return undefined;
  if (typeof fields === "string")
    return fields
      .split(",")
      .map((f) => f.trim())
      .filter(Boolean);
  if (!Array.isArray(fields)) throw new TypeError("queryAppRecords: fields must be an array of field names.");
  return fields.map(String);
}

function optionalNumber(value: unknown): number | undefined {
  return value === undefined || value === null ? undefined : Number(value);
}

function toQuery(args: unknown[]): RlxQuery | { legacy: RecordQuery } {
  const [first, relex, fields, sortBy] = args;
  if (typeof first === "string") {
    return {
      wksApp: first,
      relex: relex === undefined || relex === null ? undefined : String(relex),
      fields: fieldList(fields),
      sortBy: sortBy === undefined || sortBy === null ? undefined : String(sortBy),
    };
  }
  const params = (first ?? {}) as Record<string, unknown>;
  if (typeof params !== "object")
    throw new TypeError('queryAppRecords: pass ("WS!APP", relex) or { wksApp, relex }.');
  if (!PARAM_KEYS.some((key) => key in params)) return { legacy: params as RecordQuery };
  return {
    wksApp: params.wksApp === undefined ? undefined : String(params.wksApp),
    relex: params.relex === undefined || params.relex === null ? undefined : String(params.relex),
    fields: fieldList(params.fields),
    sortBy: params.sortBy === undefined ? undefined : String(params.sortBy),
    limit: optionalNumber(params.limitRecords),
    skip: optionalNumber(params.skipRecords),
  };
}

function run(args: unknown[], cached: boolean, limit?: number): JsonRecord[] {
  const query = toQuery(args);
  if ("legacy" in query) {
    const legacy = limit ? { ...query.legacy, limit } : query.legacy;
    return callAsync("records.query", legacy);
  }
  return callAsync("records.find", { ...query, ...(limit ? { limit } : {}), cached });
}

type Row = Record<string, any>;

/** Records of an app matching an rlx filter; sees this action's own writes. */
export function queryAppRecords<T = Row>(
  wksApp: string,
  relex?: string,
  fields?: string[],
  sortBy?: string,
): T[];
export function queryAppRecords<T = Row>(params: QueryParams): T[];
export function queryAppRecords<T = Row>(query?: RecordQuery): T[];
export function queryAppRecords(...args: unknown[]): JsonRecord[] {
  return run(args, false);
}

/** The first record matching an rlx filter, or null. */
export function queryApp<T = Row>(wksApp: string, relex?: string, fields?: string[]): T | null;
export function queryApp<T = Row>(params: QueryParams): T | null;
export function queryApp(...args: unknown[]): JsonRecord | null {
  return run(args, false, 1)[0] ?? null;
}

/** queryAppRecords, answered from a cache that lives as long as the action (repeat calls are free). */
export function queryAppRecordsCached<T = Row>(
  wksApp: string,
  relex?: string,
  fields?: string[],
  sortBy?: string,
): T[];
export function queryAppRecordsCached<T = Row>(params: QueryParams): T[];
export function queryAppRecordsCached(...args: unknown[]): JsonRecord[] {
  return run(args, true);
}

/** queryApp, answered from the action's query cache. */
export function queryAppCached<T = Row>(wksApp: string, relex?: string, fields?: string[]): T | null;
export function queryAppCached<T = Row>(params: QueryParams): T | null;
export function queryAppCached(...args: unknown[]): JsonRecord | null {
  return run(args, true, 1)[0] ?? null;
}
