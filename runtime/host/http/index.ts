/**
 * Host half of `RestApi` (globals/rest-api.ts): executes the requests an action's logic builds,
 * with pooled undici connections, the egress policy on every hop, a per-action request budget,
 * a whole-request deadline and capped bodies. Failures the logic can catch are HttpErrors.
 *
 * @example
 *   const http = createHttpClient({ policy: { ...DEFAULT_HTTP_POLICY, allowHosts: ["127.0.0.1"] }, files, signal });
 *   const res = await http.execute(spec); // { statusCode, content, headers, contentType, isSuccessful }
 */
import { rm } from "node:fs/promises";
import type { Dispatcher } from "undici";
import { isRuntimeError, toErrorCode } from "../../errors.ts";
import { DEFAULT_LIMITS } from "../../limits.ts";
import type { HttpCallLog } from "../../store/index.ts";
import type {
  DownloadResponse,
  FileRef,
  HttpRequestSpec,
  HttpResponse,
} from "../../../globals/bridge-contract.ts";
import { discard, readCapped, saveCapped } from "./body.ts";
import { requestDeadlines, requestTimeoutMs, type Deadline } from "./deadline.ts";
import { agentFor, type EgressAgent } from "./agent.ts";
import { downloadContentType, downloadFileName } from "./download.ts";
import { HttpError, describeTarget } from "./errors.ts";
import { requestHeaders, responseHeaders } from "./headers.ts";
import type { Hop } from "./redirects.ts";
import { requestBody } from "./request-body.ts";
import { sendFollowingRedirects, translateError, type Sent } from "./send.ts";
import { BuiltUrls, buildUrl } from "./url.ts";
import { adoptedHttpSpans, endHttpSpan, startHttpSpan } from "./http-span.ts";

export { closeAgents } from "./agent.ts";
export { isRestrictedAddress } from "./egress.ts";
export { HttpError, type HttpErrorCode } from "./errors.ts";

export interface HttpPolicy {
  /** Admin allow-list for loopback/private targets: "127.0.0.1", "localhost", "10.0.0.5:8080", "[::1]". */
  allowHosts: string[];
  /** Cap of an executeRequest body kept in memory, after decompression. */
  maxResponseBytes: number;
  /** Cap of a downloadFile body streamed to disk, after decompression. */
  maxDownloadBytes: number;
  /** Per request: connect + headers + whole body. spec.timeoutSeconds overrides it. */
  defaultTimeoutMs: number;
  /** Per action; each executeRequest/downloadFile counts 1, its redirects do not. */
  maxRequests: number;
  maxRedirects: number;
}

export const DEFAULT_HTTP_POLICY: HttpPolicy = Object.freeze({
  allowHosts: Object.freeze([]) as readonly string[] as string[],
  maxResponseBytes: DEFAULT_LIMITS.maxResponseBytes,
  maxDownloadBytes: DEFAULT_LIMITS.maxDownloadBytes,
  defaultTimeoutMs: DEFAULT_LIMITS.requestTimeoutMs,
  maxRequests: DEFAULT_LIMITS.maxRequests,
  maxRedirects: 5,
}) as HttpPolicy;

export interface HttpFileAccess {
  /** bytes of an existing file ref (for addFile multipart uploads) */
  readFile(ref: string): Promise<{ fileName: string; contentType: string; path: string; size: number }>;
  /** a new temporary file for a download: write the body to `path`, then call finish(size) which returns the FileRef */
  createTempFile(
    fileName: string,
    contentType: string,
  ): Promise<{ path: string; finish(size: number): Promise<FileRef> }>;
}

export type { HttpCallLog };

export interface HttpClientOptions {
  policy: HttpPolicy;
  files: HttpFileAccess;
  /** The action's wall-clock deadline: aborting it stops the request in flight ("timeout"). */
  signal: AbortSignal;
  onCall?: (log: HttpCallLog) => void;
  /** Secrets out of the call log: a URL's host or path may carry one (e.g. /bot<token>/send). */
  redact?: (text: string) => string;
  /** Requests this action sent before this client existed (a sandbox worker's share of the budget). */
  used?: number;
  /** Instead of the network: an undici MockAgent in app developers' tests (the URL checks still apply). */
  dispatcher?: Dispatcher;
}

/** What a sandbox worker process needs to send an action's requests itself (runtime/sandbox/worker). */
export interface HttpHandOff {
  policy: HttpPolicy;
  /** Requests the action has sent so far: the budget is per action, nested transitions included. */
  used: number;
  /** The run is recorded: the worker hands back each request's answer too (WorkerHttpAnswer). */
  record?: boolean;
}

export interface HttpClient {
  execute(spec: HttpRequestSpec): Promise<HttpResponse>;
  download(spec: HttpRequestSpec): Promise<DownloadResponse>;
  /** Requests counted against the action's budget so far. */
  readonly used: number;
  /** The policy and count for another process; null when only this client may send (a test's dispatcher). */
  handOff(): HttpHandOff | null;
  /** Counts and logs requests that a worker process sent for this action (kept in order, redacted). */
  adopt(calls: readonly HttpCallLog[]): void;
  /** Takes over the count after requests sent elsewhere (a worker, after the server ran a call for it). */
  resume(used: number): void;
}

type Consume<T> = (sent: Sent, headers: Record<string, string>, deadline: Deadline) => Promise<T>;

export function createHttpClient(options: HttpClientOptions): HttpClient {
  const { policy, files } = options;
  let calls = options.used ?? 0;
  const redact = options.redact ?? ((text: string) => text);
  const logged = (log: HttpCallLog) => {
    log.host = redact(log.host);
    log.path = redact(log.path);
    options.onCall?.(log);
  };
  // A worker's requests get their trace spans here, under the action's span (tracing on only).
  const adoptedSpan = adoptedHttpSpans();

  const startDeadline = requestDeadlines(options.signal);
  // The pooled agent and allow-list of this client's policy, looked up on its first request.
  let egress: EgressAgent | null = null;
  const builtUrls = new BuiltUrls();

  async function perform<T>(request: HttpRequestSpec, consume: Consume<T>): Promise<T> {
    const started = performance.now();
    const method = String(request.method).toUpperCase();
    const spec = request.method === method ? request : { ...request, method };
    const log: HttpCallLog = { method, host: "", path: "", status: null, ms: 0 };
    const span = startHttpSpan(method);
    let target: URL | null = null;
    let deadline: Deadline | null = null;
    try {
      calls += 1;
      const url = buildUrl(spec, builtUrls);
      target = url;
      log.host = url.host;
      log.path = url.pathname;
      if (calls > policy.maxRequests) {
        throw new HttpError(
          "limit_exceeded",
          `${describeTarget(method, url)} was not sent: an action may send at most ${policy.maxRequests} HTTP requests; send fewer (batch them) or split the work across several actions.`,
        );
      }
      const body = requestBody(spec, files);
      const first: Hop = {
        method,
        url,
        headers: requestHeaders(spec),
        body: body instanceof Promise ? await body : body,
      };
      deadline = startDeadline(requestTimeoutMs(spec.timeoutSeconds, policy.defaultTimeoutMs));
      if (deadline.reason() !== null) throw translateError(null, first, deadline);
      egress ??= agentFor(policy.allowHosts);
      const sent = await sendFollowingRedirects(
        first,
        egress,
        policy.maxRedirects,
        deadline,
        options.dispatcher,
      );
      log.status = sent.response.statusCode;
      try {
        return await consume(sent, responseHeaders(sent.response.headers), deadline);
      } catch (error) {
        discard(sent.response.body); // frees the connection when the body was not read to the end
        throw error;
      }
    } catch (error) {
      // Only our coded errors name their code; a foreign code (ENOENT, UND_ERR_...) is internal.
      log.error = isRuntimeError(error) ? error.code : "internal_error";
      throw error;
    } finally {
      deadline?.dispose();
      log.ms = Math.round(performance.now() - started);
      if (span) endHttpSpan(span, target, log);
      logged(log);
    }
  }

  const tooLarge = (what: string, hop: Hop, limit: number) => () =>
    new HttpError(
      "limit_exceeded",
      `${what} of ${describeTarget(hop.method, hop.url)} is larger than the limit of ${limit} bytes; ask the server for less (paging, filters) or ${what === "The download" ? "ask an admin to raise the download limit" : "use RestApi.downloadFile()"}.`,
    );

  return {
    get used() {
      return calls;
    },
    handOff: () => (options.dispatcher ? null : { policy, used: calls }),
    adopt(entries) {
      for (const entry of entries) {
        calls += 1;
        const { method, host, path, status, ms, error } = entry;
        // From another process: each field in its shape, a code from the registry.
        const log: HttpCallLog = {
          method: String(method),
          host: String(host),
          path: String(path),
          status: typeof status === "number" ? status : null,
          ms: Number(ms) || 0,
        };
        if (error !== undefined) log.error = toErrorCode(error);
        logged(log);
        adoptedSpan?.(log);
      }
    },
    resume(used) {
      calls = used;
    },
    execute(spec) {
      return perform(spec, async ({ response, hop }, headers, deadline) => {
        let content: Buffer;
        try {
          content = await readCapped(
            response.body,
            headers,
            policy.maxResponseBytes,
            tooLarge("The response", hop, policy.maxResponseBytes),
          );
        } catch (error) {
          throw translateError(error, hop, deadline);
        }
        const statusCode = response.statusCode;
        return {
          statusCode,
          content: content.toString("utf8"),
          headers,
          contentType: headers["content-type"] ?? "",
          isSuccessful: statusCode >= 200 && statusCode < 300,
        };
      });
    },

    download(spec) {
      return perform(spec, async ({ response, hop }, headers, deadline) => {
        const statusCode = response.statusCode;
        if (statusCode < 200 || statusCode >= 300) {
          await response.body.dump().catch(() => undefined);
          return { statusCode, downloadedFileRef: null, contentLength: 0 };
        }
        const temp = await files.createTempFile(
          downloadFileName(headers, hop.url),
          downloadContentType(headers),
        );
        let size: number;
        try {
          size = await saveCapped(
            response.body,
            headers["content-encoding"],
            policy.maxDownloadBytes,
            temp.path,
            tooLarge("The download", hop, policy.maxDownloadBytes),
          );
        } catch (error) {
          await rm(temp.path, { force: true }).catch(() => undefined); // a partial file is of no use to anyone
          throw translateError(error, hop, deadline);
        }
        return { statusCode, downloadedFileRef: await temp.finish(size), contentLength: size };
      });
    },
  };
}
