/** What callers (CLI, REST API, tests) hand the action runtime and get back. */
import type { CurrentUser } from "../../globals/app-types.ts";
import type { LogEntry } from "../host/index.ts";
import type { HttpCallLog } from "../host/index.ts";
import type { JsonRecord } from "./fields.ts";

export interface ActionRequest {
  /** App alias (publishingAlias) of a loaded app. */
  app: string;
  /** Action uid: a custom action, or add / edit / delete. */
  action: string;
  /** The record to run on; omitted for a new record. */
  recordId?: string;
  /** Field values submitted with the action, applied before the logic runs. */
  values?: JsonRecord;
  /** When the record id is not in the store, create it (CLI `--record` files) instead of a not_found error. */
  createIfMissing?: boolean;
  user?: CurrentUser;
  /** Who fired the action: "cli", "rest", "test", ... (kept in the run log). */
  source?: string;
  /** Lower wall-clock limit for this run (e.g. what is left of a REST request's 30 s). */
  wallMs?: number;
  /** The record revision the caller last saw: another revision fails the action with `conflict`. */
  expectedRevision?: number;
  /**
   * A client's key for this exact change: if a change with this key already committed, the
   * action does not run again and its result is answered from the stored record (`replayed`).
   */
  idempotencyKey?: string;
  /** Told when the commit starts and how it ended, so a request timeout never hides a commit. */
  onCommit?: (runId: string, phase: CommitPhase) => void;
}

export type CommitPhase = "start" | "committed" | "failed" | "unknown";

export interface ActionError {
  code: string;
  message: string;
  stack: string;
}

export type ActionResult =
  | {
      ok: true;
      runId: string;
      recordId: string;
      created: boolean;
      ran: boolean;
      /** Answered from an earlier commit with the same idempotency key; nothing ran now. */
      replayed?: boolean;
      entity: JsonRecord;
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
    };

export const DEFAULT_USER: CurrentUser = { id: "local-developer", name: "Local developer", isAdmin: true };
