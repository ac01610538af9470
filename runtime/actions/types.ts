/** What callers (CLI, REST API, tests) hand the action runtime and get back. */
import type { RunCaller } from "../access/index.ts";
import type { InboundRequest } from "../../globals/bridge-contract.ts";
import type { LogEntry } from "../host/index.ts";
import type { HttpCallLog } from "../host/index.ts";
import type { ErrorCode } from "../errors.ts";
import type { JsonRecord } from "./fields.ts";
import type { StoredRecord } from "../store/index.ts";

/**
 * Key of an ok result's records as this run's commit stored them (not those it left unchanged,
 * nor a replayed run's), so callers answer with them instead of reading them again. A symbol: it
 * never ends up in a serialised answer or a stored idempotent response.
 */
export const COMMITTED: unique symbol = Symbol("committed records");

export interface ActionRequest {
  /** App alias (publishingAlias) of a loaded app. */
  app: string;
  /** Action uid: a custom action, or add / edit / delete. */
  action: string;
  /** The record to run on; omitted for a new record. */
  recordId?: string;
  /**
   * A mass action: run the action ONCE on all these records (`records` in the logic, `entity` is
   * the first), `values` applied to each, one transaction for all. Replaces `recordId`.
   */
  recordIds?: string[];
  /**
   * The record `recordId` as the caller read it just before (REST reads it to find its app), so
   * the run does not read it again. Server code only, never client input; a stale one fails the
   * commit's revision check with `conflict`, and after a wait for admission it is read again.
   */
  loaded?: StoredRecord;
  /** Field values submitted with the action, applied before the logic runs. */
  values?: JsonRecord;
  /**
   * A note sent with the action (MCP update_record's `comment`): kept with the history entry of
   * the record(s) the action ran on, which get a new version even when no field changed.
   */
  comment?: string;
  /** When the record id is not in the store, create it (CLI `--record` files) instead of a not_found error. */
  createIfMissing?: boolean;
  /**
   * Who the run is for (required: there is no default caller). What it may run is decided by the
   * one rule, actions/authorize-run.ts, when the run is queued and again when it runs.
   */
  caller: RunCaller;
  /** Who fired the action: "cli", "rest", "test", ... (kept in the run log). */
  source?: string;
  /** Lower wall-clock limit for this run (e.g. what is left of a REST request's 30 s). */
  wallMs?: number;
  /** Called after each `importData` call with the rows imported by this run so far (CLI progress). */
  onImported?: (rows: number) => void;
  /** The record revision the caller last saw: another revision fails the action with `conflict`. */
  expectedRevision?: number;
  /**
   * The key this exact change commits under (unique in the store; set by the run use-case from a
   * client's idempotency key, runs/idempotency.ts): if a change with this key already committed,
   * the action does not run again and its result is answered from the stored record (`replayed`).
   */
  commitKey?: string;
  /** Told when the commit starts and how it ended, so a request timeout never hides a commit. */
  onCommit?: (runId: string, phase: CommitPhase) => void;
  /** Set when the queue runs this action: the run it belongs to (committed at most once). */
  job?: JobContext;
}

export interface JobContext {
  runId: string;
  attempt: number;
  request?: InboundRequest | null;
}

export type CommitPhase = "start" | "committed" | "failed" | "unknown";

export interface ActionError {
  code: ErrorCode;
  message: string;
  stack: string;
}

export type ActionResult =
  | {
      ok: true;
      runId: string;
      recordId: string;
      /** Every record a mass action ran on (recordIds), in order. */
      recordIds?: string[];
      created: boolean;
      ran: boolean;
      /** Answered from an earlier commit with the same idempotency key; nothing ran now. */
      replayed?: boolean;
      entity: JsonRecord;
      /** The records this run wrote, as stored (see COMMITTED). */
      [COMMITTED]?: StoredRecord[];
      logs: LogEntry[];
      httpCalls: HttpCallLog[];
      cpuMs: number;
    }
  | {
      ok: false;
      runId: string;
      recordId: string | null;
      error: ActionError;
      logs: LogEntry[];
      httpCalls: HttpCallLog[];
      cpuMs: number;
      /** The logic called ComindServer.retryLater (the queue runs it again). */
      retry?: { reason: string; afterMs?: number } | null;
    };
