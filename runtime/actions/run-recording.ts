/**
 * The recording of one run: what it needs to be re-executed deterministically somewhere else
 * (`comind-runtime replay`, `createAppTester(...).replay`). The record and entityOld as the logic
 * saw them, the submitted values, the caller, vars, the names of the secrets, Math.random's seed,
 * the bundle hash, and every host call that reaches the world with its answer, in order.
 *
 * Which calls are recorded is derived from the bridge's table, not listed here: the async calls
 * (ASYNC_CALLS) are the ones that leave the isolate's process for records, files, HTTP and the
 * clock of `sleep`; the sync calls are pure helpers answered locally (hashing, base64) and the
 * console, which is output. `app.secrets` is kept as names only.
 *
 * Redaction: every string in the recording goes through the run's redactor (every secret value,
 * and the values of fields an admin marks sensitive), the sensitive fields themselves read `***`,
 * and an argument or answer over the size cap is replaced by its size and hash.
 */
import { createHash } from "node:crypto";
import type { ActionInit } from "../../globals/bridge-contract.ts";
import { type ErrorCode, publicError } from "../errors.ts";
import { createRedactor, type Redactor } from "../host/index.ts";
import { actionSeed, ASYNC_CALLS, type HostFunctions, type WorkerHttpAnswer } from "../sandbox/index.ts";
import type { JsonRecord } from "./fields.ts";
import type { RunTap } from "./run-tap.ts";

export const RECORDING_FORMAT = "comind-run-recording/1";
export const RECORD_RUNS_MODES = ["failed", "all", "off"] as const;
export type RecordRunsMode = (typeof RECORD_RUNS_MODES)[number];
export const REDACTED = "***";

/** An argument or answer too large to keep: its size and the sha256 of its (redacted) JSON. */
export interface OmittedValue {
  "~omitted": { bytes: number; sha256: string };
}

export interface RecordedCall {
  name: string;
  arg: unknown;
  /** The call's answer (JSON); absent when it failed. */
  answer?: unknown;
  /** What the call threw into the logic. */
  error?: { code: ErrorCode; message: string };
}

export interface RecordedOutcome {
  ok: boolean;
  /** `entity` as the logic left it (a successful run). */
  entity?: JsonRecord;
  error?: { code: ErrorCode; message: string };
}

export interface RunRecording {
  format: typeof RECORDING_FORMAT;
  runId: string;
  workspace: string;
  app: string;
  action: string;
  recordId: string | null;
  /** The app bundle's content hash (logic + manifest): tells the same code from an edited one. */
  bundleHash: string;
  recordedAt: string;
  caller: { id: string; groups: string[] };
  /** The values the run was sent (applied to the record before the logic ran). */
  values: JsonRecord | null;
  /** What the isolate got: entity, entityOld, currentUser, vars, isNew, records, attempt, request. */
  init: ActionInit;
  /** Names of the COMIND_SECRET_* values the logic could read; never their values. */
  secretNames: string[];
  /** Math.random's seed. */
  seed: string;
  /** Every reading of the clock (`Date.now()`, `new Date()`), in order, as epoch milliseconds. */
  clock?: number[];
  calls: RecordedCall[];
  outcome: RecordedOutcome;
  /** Set when the total cap was reached: later answers are omitted (their size and hash kept). */
  truncated?: true;
}

export interface RecordingCaps {
  /** One argument or answer, bytes of JSON. */
  maxValueBytes: number;
  /** All calls together. */
  maxTotalBytes: number;
}

export const DEFAULT_RECORDING_CAPS: RecordingCaps = {
  maxValueBytes: 256 * 1024,
  maxTotalBytes: 4 * 1024 * 1024,
};

const sha256 = (text: string) => createHash("sha256").update(text, "utf8").digest("hex");

/** What stands for a value too large to keep. */
export function omitted(json: string): OmittedValue {
  return { "~omitted": { bytes: Buffer.byteLength(json, "utf8"), sha256: sha256(json) } };
}

export function isOmitted(value: unknown): value is OmittedValue {
  return typeof value === "object" && value !== null && Object.hasOwn(value, "~omitted");
}

/** How deep a recording follows a value; deeper parts are kept as TOO_DEEP. */
export const MAX_RECORDED_DEPTH = 64;
/** What stands for the part of a value nested deeper than MAX_RECORDED_DEPTH (the same on replay). */
export const TOO_DEEP = `~nested deeper than ${MAX_RECORDED_DEPTH} levels`;

/**
 * Every string of a JSON value through `redact` (keys are names, not data, and stay). Values
 * come from the logic, which may nest them thousands of levels deep: what lies deeper than
 * MAX_RECORDED_DEPTH is replaced, so recording a run never overflows the stack.
 */
export function redactDeep(value: unknown, redact: Redactor, depth = 0): unknown {
  if (typeof value === "string") return redact(value);
  if (typeof value !== "object" || value === null) return value;
  if (depth >= MAX_RECORDED_DEPTH) return TOO_DEEP;
  if (Array.isArray(value)) return value.map((item) => redactDeep(item, redact, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) out[key] = redactDeep(item, redact, depth + 1);
  return out;
}

/** The JSON of a host call's argument as the recording keeps it (also what a replay compares). */
export function argJson(arg: unknown, redact: Redactor): string {
  return JSON.stringify(redactDeep(arg ?? null, redact)) ?? "null";
}

/** Whether a host call reaches the world and so is recorded and answered on replay. */
export const isRecordedCall = (name: string) => Object.hasOwn(ASYNC_CALLS, name);

function maskFields(record: JsonRecord | null | undefined, fields: string[]): JsonRecord | null {
  if (!record) return record ?? null;
  const out = { ...record };
  for (const field of fields) if (Object.hasOwn(out, field) && out[field] != null) out[field] = REDACTED;
  return out;
}

function sensitiveValues(records: (JsonRecord | null | undefined)[], fields: string[]): string[] {
  const values: string[] = [];
  for (const record of records)
    for (const field of fields) {
      const value = record?.[field];
      if (typeof value === "string") values.push(value);
      else if (typeof value === "number") values.push(String(value));
    }
  return values;
}

export interface RecorderOptions {
  /** The run's redactor (every secret value the runtime knows). */
  redact: Redactor;
  /** Fields whose values never go into a recording. */
  sensitiveFields: string[];
  caps?: RecordingCaps;
}

/** Taps a run's top-level logic and builds its recording when the run ends. */
export class RunRecorder implements RunTap {
  readonly seed = actionSeed();
  readonly clock = "record" as const;
  private readings: number[] = [];
  private seen: ActionInit | null = null;
  /**
   * The calls as they passed: references, serialized only when a recording is kept (most runs
   * succeed and keep none). Safe because each argument is parsed afresh from the isolate's JSON
   * and each answer is built afresh by its host function for this call.
   */
  private readonly calls: { name: string; arg: unknown; answer?: unknown; error?: RecordedCall["error"] }[] =
    [];
  private readonly secretNames = new Set<string>();
  private readonly options: RecorderOptions;

  constructor(options: RecorderOptions) {
    this.options = options;
  }

  /** Whether the logic ran (a run refused before it has nothing to replay). */
  get started(): boolean {
    return this.seen !== null;
  }

  init(init: ActionInit): ActionInit {
    this.seen = init;
    return init;
  }

  host(host: HostFunctions): HostFunctions {
    const wrapped: Record<string, unknown> = { ...host };
    for (const [name, fn] of Object.entries(host) as [string, (arg: unknown) => unknown][]) {
      if (name === "app.secrets") {
        wrapped[name] = (arg: unknown) => {
          const secrets = fn(arg) as Record<string, string>;
          for (const key of Object.keys(secrets)) this.secretNames.add(key);
          return secrets;
        };
      } else if (isRecordedCall(name)) {
        wrapped[name] = async (arg: unknown) => {
          // Redacted when the run ends: the redactor then also knows the sensitive fields' values.
          const call: (typeof this.calls)[number] = { name, arg };
          this.calls.push(call);
          try {
            const answer = await fn(arg);
            call.answer = answer ?? null;
            return answer;
          } catch (error) {
            call.error = publicError(error);
            throw error;
          }
        };
      }
    }
    return wrapped as unknown as HostFunctions;
  }

  recordWorkerHttp(calls: WorkerHttpAnswer[]): void {
    for (const { arg, answer, error } of calls)
      this.calls.push(
        error ? { name: "http.execute", arg, error } : { name: "http.execute", arg, answer: answer ?? null },
      );
  }

  clockRead(readings: number[]): void {
    this.readings = readings;
  }

  /** The recording, redacted and capped; null when the logic never ran. */
  finish(meta: {
    runId: string;
    workspace: string;
    app: string;
    action: string;
    recordId: string | null;
    bundleHash: string;
    values: JsonRecord | null | undefined;
    outcome: RecordedOutcome;
  }): RunRecording | null {
    const init = this.seen;
    if (!init) return null;
    const { sensitiveFields } = this.options;
    const caps = this.options.caps ?? DEFAULT_RECORDING_CAPS;
    const records = [init.entity, init.entityOld, meta.values, meta.outcome.entity, ...(init.records ?? [])];
    const fieldRedact = createRedactor(sensitiveValues(records, sensitiveFields));
    const redact: Redactor = (text) => fieldRedact(this.options.redact(text));
    const mask = (record: JsonRecord | null | undefined) =>
      redactDeep(maskFields(record, sensitiveFields), redact) as JsonRecord | null;
    let total = 0;
    let truncated = false;
    const keep = (value: unknown) => {
      const json = JSON.stringify(redactDeep(value ?? null, redact)) ?? "null";
      const bytes = Buffer.byteLength(json, "utf8");
      if (bytes > caps.maxValueBytes) return omitted(json);
      if (total + bytes > caps.maxTotalBytes) {
        truncated = true;
        return omitted(json);
      }
      total += bytes;
      return JSON.parse(json) as unknown;
    };
    const calls: RecordedCall[] = this.calls.map((call) => ({
      name: call.name,
      arg: keep(call.arg),
      ...(call.answer !== undefined ? { answer: keep(call.answer) } : {}),
      ...(call.error ? { error: { code: call.error.code, message: redact(call.error.message) } } : {}),
    }));
    const user = init.currentUser as { id?: unknown; groups?: unknown };
    return {
      format: RECORDING_FORMAT,
      runId: meta.runId,
      workspace: meta.workspace,
      app: meta.app,
      action: meta.action,
      recordId: meta.recordId,
      bundleHash: meta.bundleHash,
      recordedAt: new Date().toISOString(),
      caller: {
        id: String(user.id ?? ""),
        groups: Array.isArray(user.groups) ? user.groups.map(String) : [],
      },
      values: meta.values ? mask(meta.values) : null,
      init: {
        ...(redactDeep(init, redact) as ActionInit),
        entity: mask(init.entity) ?? {},
        entityOld: mask(init.entityOld),
        records: init.records?.map((record) => mask(record) ?? {}),
      },
      secretNames: [...this.secretNames].sort(),
      seed: this.seed,
      clock: this.readings,
      calls,
      outcome: {
        ok: meta.outcome.ok,
        ...(meta.outcome.entity ? { entity: mask(meta.outcome.entity) ?? {} } : {}),
        ...(meta.outcome.error
          ? { error: { code: meta.outcome.error.code, message: redact(meta.outcome.error.message) } }
          : {}),
      },
      ...(truncated ? { truncated: true as const } : {}),
    };
  }
}
