/**
 * `@comind/api/server` as app developers see it (types and docs). At run time the bundler maps
 * this import to shims/server.ts, which reads the one instance the bootstrap installed.
 */
export { RestApi } from "./rest-api.ts";
export { Files } from "./files.ts";
export { AppSchema } from "./app-settings.ts";
export { ComindServer } from "./comind-server.ts";
export { Utils } from "./utils.ts";
export { LiquidParser } from "./liquid-parser.ts";
export type {
  AppSchemaInfo,
  FileRef,
  HttpResponse,
  InboundEmail,
  InboundRequest,
  DownloadResponse,
  LookupOption,
  RecordQuery,
  UserInfo,
} from "./bridge-contract.ts";
export type { QueryParams } from "./record-query.ts";
export type { NotifyContext, NotifyResult, EmailLayout, EmailRecipients } from "./notify-context.ts";
