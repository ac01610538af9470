/**
 * Running action logic on records: apps (bundled and loaded), the unit of work, preparing a
 * record, running the logic in the sandbox with its host functions, the one authorization rule.
 * The run itself — authorize, commit, notify, the run document — is runs/, above this folder.
 */
export type { ActionRequest, ActionResult, ActionError, CommitPhase, JobContext } from "./types.ts";
export { COMMITTED } from "./types.ts";
export { authorizeRun, permissionsFor, startableActions } from "./authorize-run.ts";
export { loadApp, type LoadedApp } from "./app-loader.ts";
export { AppRegistry } from "./app-registry.ts";
export { BASE_ACTIONS, BASE_ACTION_UIDS } from "./base-actions.ts";
export { BASE_FIELDS, FieldSchema, type JsonRecord, READ_ONLY_FIELDS } from "./fields.ts";
export { toEntity } from "./record-shape.ts";
export { assertKnownFilterFields } from "./filter-fields.ts";
export { UnitOfWork } from "./unit-of-work.ts";
export { allowedTransitions } from "./transitions.ts";
export type { RuntimeConfig } from "./config.ts";
export { runLogic, type ActionScope } from "./logic-run.ts";
export { prepareMassRecords, prepareRecord, type PreparedRecord } from "./prepare-record.ts";
export { Outbox } from "./outbox.ts";
export {
  ATTACHMENT_REF_APP,
  findByRef,
  formatRecordRef,
  parseRecordRef,
  type RecordRef,
  recordByIdOrRef,
} from "./record-ref.ts";
export { LOOKUP_TYPES, staticOptions } from "./lookups.ts";
export {
  DEFAULT_RECORDING_CAPS,
  RECORD_RUNS_MODES,
  RECORDING_FORMAT,
  type RecordRunsMode,
  type RecordedCall,
  type RecordedOutcome,
  RunRecorder,
  type RunRecording,
} from "./run-recording.ts";
export { RunReplayer, type ReplayMismatch } from "./replay-host.ts";
export type { RunTap } from "./run-tap.ts";
