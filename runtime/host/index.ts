/**
 * The host functions of one action, assembled from the host modules; the names and shapes are
 * fixed by runtime/sandbox/bridge.ts. Records go through the action's unit of work, so nothing is
 * written before the action commits.
 */
import { setTimeout as sleep } from "node:timers/promises";
import type { HttpRequestSpec } from "../../globals/bridge-contract.ts";
import type { HostFunctions } from "../host-functions.ts";
import type { Store } from "../store/index.ts";
import { RuntimeError } from "../errors.ts";
import type { LogCapture } from "./console.ts";
import type { ActionFiles } from "./files.ts";
import type { createHttpClient } from "./http/index.ts";
import { createDocumentCalls, type DocumentPool } from "./documents/index.ts";
import { type CpuBudget, type CpuPool, cpuHostCalls, cpuWork } from "./cpu/index.ts";
import { pureHostCalls } from "./utils.ts";

/**
 * What the record host calls need of the action's unit of work (actions/unit-of-work.ts is the
 * implementation): a port, so host/ does not reach up into actions/.
 */
export interface ActionRecords {
  readonly store: Store;
  readonly workspace: string;
  importData: HostFunctions["records.import"];
  query: HostFunctions["records.query"];
  get: HostFunctions["records.get"];
}

export interface ActionHostContext {
  uow: ActionRecords;
  files: ActionFiles;
  logs: LogCapture;
  secrets: Record<string, string>;
  http: ReturnType<typeof createHttpClient>;
  signal: AbortSignal;
  /** Worker threads of the document helpers (xlsx, zip, PDF). */
  documents: DocumentPool;
  /** Worker threads of Liquid, htmlToText and CSV, and this action's share of them (cpu/). */
  cpu: CpuPool;
  cpuBudget: CpuBudget;
  /** setComindAuth(): adds the current user's short-lived token (runtime/host/comind-auth.ts). */
  signIn(spec: HttpRequestSpec): Promise<HttpRequestSpec>;
}

const MAX_SLEEP_MS = 60 * 60 * 1000;

/** `app.secrets`: a copy of the action's secrets (also handed to a lazy host table as is). */
export function secretsCall(secrets: Record<string, string>) {
  return { "app.secrets": () => ({ ...secrets }) } satisfies Partial<HostFunctions>;
}

/**
 * The host functions that need only the host: console, utils, secrets, HTTP, files, documents,
 * record reads and sleep. Which calls these are is this object's keys (actions/host-table.ts
 * checks that it and the action's own calls cover the contract without overlap).
 */
export function createHostFunctions(ctx: ActionHostContext) {
  // Only a request that signs in to this runtime waits for its token: the rest go out at once.
  const signedIn =
    <T>(send: (spec: HttpRequestSpec) => Promise<T>) =>
    (spec: HttpRequestSpec) =>
      spec.comindAuth ? ctx.signIn(spec).then(send) : send(spec);
  const cpu = cpuWork(ctx.cpu, { budget: ctx.cpuBudget, signal: ctx.signal });
  return {
    "console.write": ({ level, message }) => {
      ctx.logs.write(level, message);
      return null;
    },
    ...pureHostCalls,
    ...cpuHostCalls(cpu),
    ...secretsCall(ctx.secrets),
    "http.execute": signedIn((spec) => ctx.http.execute(spec)),
    "http.download": signedIn((spec) => ctx.http.download(spec)),
    "files.getRef": (arg) => ctx.files.getRef(arg),
    "files.persist": (arg) => ctx.files.persist(arg),
    "files.readBase64": (arg) => ctx.files.readBase64(arg),
    "files.fromBase64": (arg) => ctx.files.fromBase64(arg),
    "files.readCsv": (arg) =>
      ctx.files.readCsv(arg, (text) => cpu.parseCsv(text, arg.options, "Files.readCsvFileRef")),
    "files.writeCsv": (arg) =>
      ctx.files.writeCsv(arg, (rows) => cpu.writeCsv(rows, arg.options, "Files.writeCsvFileRef")),
    ...createDocumentCalls(ctx.files, ctx.documents, ctx.signal),
    "records.import": (arg) => ctx.uow.importData(arg),
    "records.query": (arg) => ctx.uow.query(arg),
    "records.get": (arg) => ctx.uow.get(arg),
    "server.sleep": async ({ ms }) => {
      const wait = Math.min(Math.max(Number(ms) || 0, 0), MAX_SLEEP_MS);
      try {
        await sleep(wait, null, { signal: ctx.signal });
      } catch {
        throw new RuntimeError("timeout", "The action reached its time limit while sleeping.");
      }
      return null;
    },
    "ids.uniqueForPrefix": async ({ prefix }) => {
      const clean = String(prefix).slice(0, 40);
      return `${clean}${await ctx.uow.store.nextSequence(ctx.uow.workspace, `prefix:${clean}`)}`;
    },
  } satisfies Partial<HostFunctions>;
}
export { LogCapture, type LogEntry } from "./console.ts";
export { ActionFiles } from "./files.ts";
export {
  type HttpCallLog,
  type HttpClient,
  type HttpHandOff,
  type HttpPolicy,
  closeAgents,
  createHttpClient,
} from "./http/index.ts";
export { type Redactor, createRedactor } from "./redact.ts";
export { type SecretSource, loadSecretSource, secretsFor } from "./secrets.ts";
export { pureHostCalls } from "./utils.ts";

export { fileUidOf } from "./file-uid.ts";
export { ComindAuth, type ComindAuthOptions } from "./comind-auth.ts";
export {
  DOCUMENT_RANGES,
  DocumentPool,
  documentPoolOptionsSchema,
  type DocumentPoolOptions,
} from "./documents/index.ts";
export { renderLiquid } from "./liquid.ts";
export { CONTENT_LIMITS } from "./content-limits.ts";
export { CpuBudget, CpuPool, type CpuTask, cpuHostCalls, cpuWork } from "./cpu/index.ts";
