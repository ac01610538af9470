/**
 * The contract of every host function that crosses the isolate boundary: its name, the one
 * JSON argument it takes and the JSON result it returns. Both sides compile against this file;
 * runtime/sandbox/bridge.ts implements it and caps the sizes. Nothing else crosses.
 *
 * "sync" calls are cheap and run on the host thread at once (ivm.Callback);
 * "async" calls do I/O: the isolate blocks while the host awaits (Reference.applySyncPromise).
 */
export type LogLevel = "log" | "info" | "warn" | "error" | "debug";

export type KeyValue = [name: string, value: string];

export interface FileRef {
  /** Opaque reference of a temporary file or a stored file. */
  ref: string;
  fileName: string;
  contentType: string;
  size: number;
}

export interface HttpRequestSpec {
  baseUrl: string;
  path: string;
  method: string;
  headers: KeyValue[];
  query: KeyValue[];
  /** RestSharp-style GetOrPost parameters: query string on GET/HEAD/DELETE, form body otherwise. */
  params: KeyValue[];
  segments: KeyValue[];
  jsonBody?: string;
  files: { name: string; ref: string }[];
  basicAuth?: { user: string; password: string };
  bearerToken?: string;
  timeoutSeconds?: number;
  /** setComindAuth(): the host signs the request in as the current user (own REST API only). */
  comindAuth?: boolean;
}

export interface HttpResponse {
  statusCode: number;
  content: string;
  headers: Record<string, string>;
  contentType: string;
  isSuccessful: boolean;
}

export interface DownloadResponse {
  statusCode: number;
  downloadedFileRef: FileRef | null;
  contentLength: number;
}

export interface RecordQuery {
  appAlias?: string;
  /** Equality filter: every key must match. */
  filter?: Record<string, unknown>;
  limit?: number;
  skip?: number;
  sortBy?: string;
}

export type JsonRecord = Record<string, unknown>;

/** `ComindServer.queryAppRecords` in its documented forms: `wksApp` + rlx filter + projection. */
export interface RlxQuery {
  /** "WS!APP", or the app alias alone for the current workspace; default: the current app. */
  wksApp?: string;
  /** rlx filter of the REST API, e.g. `state="open" AND c_total>100`. */
  relex?: string;
  /** Only these fields (plus `id`) in each record. */
  fields?: string[];
  sortBy?: string;
  limit?: number;
  skip?: number;
  /** Answer from (and fill) the per-action cache of identical queries. */
  cached?: boolean;
}

/** A user as the logic sees it (`currentUser`, `AppSchema.getWorkspaceAdmins()`). */
export interface UserInfo {
  id: string;
  email: string | null;
  name: string;
  timeZone: string | null;
  companyId: string | null;
  isGlobalAdmin: boolean;
  /** Our first name for isGlobalAdmin (host code and apps written against it). */
  isAdmin: boolean;
  isWorkspaceAdmin: boolean;
  /** Names of the groups the user belongs to. */
  groups: string[];
  /** Workspaces the user administers. */
  adminOfWorkspaces: string[];
  /** The anonymous caller of a public link (`getAccessPass`), not a signed-in user. */
  isUnauthenticated?: boolean;
}

export interface LookupOption {
  value: string;
  caption: string;
  position: number | null;
}

export interface SyncHostCalls {
  "console.write": { arg: { level: LogLevel; message: string }; result: null };
  "utils.sha256": { arg: { text: string }; result: string };
  "utils.guid": { arg: Record<string, never>; result: string };
  "utils.toBase64": { arg: { text: string }; result: string };
  "utils.fromBase64": { arg: { data: string }; result: string };
  "app.secrets": { arg: Record<string, never>; result: Record<string, string> };
  "utils.md5": { arg: { text: string }; result: string };
  "utils.parseJwt": { arg: { token: string }; result: Record<string, any> };
  "app.schema": { arg: Record<string, never>; result: AppSchemaInfo };
  /** `length` (1..65536) bytes of the host's CSPRNG as hex (globals/crypto.ts). */
  "crypto.randomBytes": { arg: { length: number }; result: string };
}

export interface AppSchemaInfo {
  alias: string;
  workspace: string;
  fields: JsonRecord[];
  actions: JsonRecord[];
}

export interface AsyncHostCalls {
  // CPU-heavy on untrusted input: answered by a host thread under the action's deadline.
  "utils.htmlToText": { arg: { html: string }; result: string };
  "utils.parseCsv": { arg: { text: string; options?: CsvOptions }; result: unknown[] };
  "utils.writeCsv": { arg: { rows: unknown[]; options?: CsvOptions }; result: string };
  "liquid.render": { arg: { template: string; vars: JsonRecord }; result: string };
  "http.execute": { arg: HttpRequestSpec; result: HttpResponse };
  "http.download": { arg: HttpRequestSpec; result: DownloadResponse };
  "files.getRef": { arg: { fileUid: string }; result: FileRef };
  "files.persist": { arg: { ref: string }; result: { uploadedFileId: string } };
  "files.readBase64": { arg: { ref: string }; result: string };
  "files.fromBase64": { arg: { data: string; fileName?: string; contentType?: string }; result: FileRef };
  "files.readCsv": { arg: { ref: string; options?: CsvOptions }; result: unknown[] };
  "files.writeCsv": { arg: { rows: unknown[]; fileName?: string; options?: CsvOptions }; result: FileRef };
  "records.import": {
    arg: { data: JsonRecord[]; keyFields: string[]; appAlias?: string };
    result: { created: number; updated: number };
  };
  "records.query": { arg: RecordQuery; result: JsonRecord[] };
  "records.get": { arg: { id: string }; result: JsonRecord | null };
  "records.find": { arg: RlxQuery; result: JsonRecord[] };
  "records.create": {
    arg: { values: JsonRecord; appAlias?: string; runAsUser?: string };
    result: JsonRecord;
  };
  "records.update": {
    arg: { id: string; transition: string; values: JsonRecord; runAsUser?: string };
    result: JsonRecord;
  };
  "records.delete": { arg: { id: string; runAsUser?: string }; result: { deleted: boolean } };
  "records.bulkCreate": { arg: { wksApp: string; dataList: JsonRecord[] }; result: JsonRecord[] };
  "records.bulkDelete": { arg: { ids: string[] }; result: { deleted: number } };
  "records.lookup": {
    arg: { field: string; value?: unknown; caption?: string };
    result: LookupOption | null;
  };
  "records.accessPass": {
    arg: { id: string; ttlSeconds?: number };
    result: { token: string; recordId: string; expiresAt: string };
  };
  "users.workspaceAdmins": { arg: Record<string, never>; result: UserInfo[] };
  "server.sleep": { arg: { ms: number }; result: null };
  "ids.uniqueForPrefix": { arg: { prefix: string }; result: string };
  "files.readExcel": { arg: { ref: string; options?: ExcelReadOptions }; result: unknown[] };
  "files.writeExcel": {
    arg: { sheets: { name: string; rows: unknown[] }[]; fileName?: string };
    result: FileRef;
  };
  "files.zip": { arg: { refs: string[]; fileName?: string }; result: FileRef };
  "files.writePdf": { arg: PdfFromHtml; result: FileRef };
  "files.mergePdf": { arg: { refs: string[]; fileName?: string }; result: FileRef };
  "queue.enqueue": { arg: EnqueueSpec; result: { runId: string } };
  "queue.retryLater": { arg: { reason: string; afterMs?: number }; result: null };
}

export interface ExcelReadOptions {
  /** Sheet name or 1-based position; default the first sheet. */
  sheet?: string | number;
  /** true (default): the first row is the header, rows are objects. false: rows are arrays. */
  columns?: boolean;
}

export interface PdfFromHtml {
  html: string;
  fileName?: string;
  /** "A4" (default), "Letter", "Legal", "A3", "A5". */
  pageSize?: string;
  landscape?: boolean;
}

/** `ComindServer.enqueue(action, options)`: a job committed with the action, or not at all. */
export interface EnqueueSpec {
  action: string;
  /** Record to run on; omitted = a new record. */
  id?: string;
  values?: JsonRecord;
  /** ISO date-time or epoch milliseconds; omitted = as soon as the action commits. */
  runAt?: string | number;
  /** Dedupes: no second pending job with this key. */
  key?: string;
  appAlias?: string;
}

/** What a webhook delivered, or an incoming e-mail (`ComindServer.request`). */
export interface InboundRequest {
  /** HTTP headers of a webhook; the message's headers of an e-mail (names in lower case). */
  headers: Record<string, string>;
  /** The raw body of a webhook; the plain-text body of an e-mail. */
  body: string;
  receivedAt: string;
  /** Set when an incoming e-mail (an action with `invokeFromEmail: true`) started the run. */
  email?: InboundEmail;
}

/** An incoming e-mail as the logic reads it (`ComindServer.request.email`). */
export interface InboundEmail {
  /** The sender's address (the SMTP envelope's, lower case): who the run's caller was mapped from. */
  from: string;
  /** The From header: display name and address as written by the sender. */
  fromHeader: { name: string; address: string };
  /** Recipients named in the To and Cc headers (addresses). */
  to: string[];
  cc: string[];
  /** The address this server received it at (the one that chose the action). */
  recipient: string;
  subject: string;
  text: string;
  /** The HTML body, or null for a plain-text message. */
  html: string | null;
  messageId: string | null;
  /** The Date header (ISO), or null. */
  date: string | null;
  /** The message's attachments, stored as files (also set on `entity.attachments`). */
  attachments: { file_uid: string; title: string; contentType: string; size: number }[];
}

export interface CsvOptions {
  delimiter?: string;
  /** true (default): first row is the header, rows are objects. false: rows are arrays. */
  columns?: boolean;
  header?: boolean;
  /**
   * Writing only. true (default): a text cell starting with `=`, `+`, `-`, `@`, tab or carriage
   * return gets a leading `'`, so a spreadsheet shows it as text instead of running it as a
   * formula (CSV injection); numbers are written as they are. false: text is written unchanged.
   */
  escapeFormulas?: boolean;
}

export type SyncCallName = keyof SyncHostCalls;
export type AsyncCallName = keyof AsyncHostCalls;

/** What a host call sends back: a value, or an error rebuilt inside the isolate. */
export type HostReply<T> = { ok: T } | { error: { code: string; message: string } };

/** What the host hands the isolate when an action starts (one JSON document). */
export interface ActionInit {
  action: string;
  appAlias: string;
  workspaceAlias: string;
  entity: JsonRecord;
  entityOld: JsonRecord | null;
  currentUser: JsonRecord;
  isNew: boolean;
  /** The selected records of a mass action (`records`); `entity` is the first of them. */
  records?: JsonRecord[];
  /** The app's settings vars (settings/index.ts), for ComindServer.getVars(). */
  vars: JsonRecord;
  /** Which attempt of a queued run this is (1 for direct runs), for ComindServer.attempt. */
  attempt?: number;
  /** The webhook delivery that started this run, for ComindServer.request. */
  request?: InboundRequest | null;
  /** Instead of running `action`: which of `actions` each record allows (preconditions only). */
  transitionsFor?: { records: JsonRecord[]; actions: string[] };
}

/** What the isolate returns when the logic finished without throwing. */
export interface ActionOutcome {
  entityJson: string;
}
