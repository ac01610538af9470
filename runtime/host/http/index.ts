/**
 * Host half of `RestApi`: executes the requests the isolate builds, with undici connection
 * pooling, the egress policy, per-action request counts, whole-request timeouts and body caps.
 *
 * @example
 *   const http = createHttpClient({ policy: { ...DEFAULT_HTTP_POLICY, allowHosts: ["127.0.0.1"] }, files, signal });
 *   const res = await http.execute(spec); // { statusCode, content, headers, contentType, isSuccessful }
 */
import type { DownloadResponse, FileRef, HttpRequestSpec, HttpResponse } from "../../../globals/bridge-contract.ts";
import { saveCapped, readCapped } from "./body.ts";
import { httpError } from "./errors.ts";
import { prepareBody } from "./request-body.ts";
import { sendWithRedirects } from "./send.ts";
import { buildUrl } from "./url.ts";

export { closeAgents } from "./agent.ts";
export { isRestrictedAddress } from "./egress.ts";

export interface HttpPolicy {
  allowHosts: string[];
  maxResponseBytes: number;
  maxDownloadBytes: number;
  defaultTimeoutMs: number;
  maxRequests: number;
  maxRedirects: number;
}

export const DEFAULT_HTTP_POLICY: HttpPolicy = {
  allowHosts: [],
  maxResponseBytes: 10 * 1024 * 1024,
  maxDownloadBytes: 100 * 1024 * 1024,
  defaultTimeoutMs: 30_000,
  maxRequests: 100,
  maxRedirects: 5,
};

export interface HttpFileAccess {
  readFile(ref: string): Promise<{ fileName: string; contentType: string; path: string; size: number }>;
  createTempFile(fileName: string, contentType: string): Promise<{ path: string; finish(size: number): Promise<FileRef> }>;
}

export interface HttpCallLog {
  method: string;
  host: string;
  path: string;
  status: number | null;
  ms: number;
  error?: string;
}

const TIMED_OUT = Object.freeze(new Error("request timed out"));

/** Aborts at the request's own timeout or when the action's deadline aborts, whichever is first. */
function deadlineSignal(actionSignal: AbortSignal, timeoutMs: number): { signal: AbortSignal; done: () => void } {
  const controller = new AbortController();
  const abort = () => controller.abort(TIMED_OUT);
  if (actionSignal.aborted) abort();
  actionSignal.addEventListener("abort", abort, { once: true });
  const timer = setTimeout(abort, timeoutMs);
  return {
    signal: controller.signal,
    done: () => {
      clearTimeout(timer);
      actionSignal.removeEventListener("abort", abort);
    },
  };
}

function headerRecord(raw: Record<string, string | string[] | undefined>): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw)) if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(", ") : value;
  return headers;
}

function fileNameOf(headers: Record<string, string>, url: URL): string {
  const disposition = headers["content-disposition"] ?? "";
  const star = /filename\*\s*=\s*(?:UTF-8'')?([^;]+)/i.exec(disposition);
  if (star) return decodeURIComponent(star[1].trim().replace(/^"|"$/g, ""));
  const plain = /filename\s*=\s*"?([^";]+)"?/i.exec(disposition);
  return plain?.[1] ?? decodeURIComponent(url.pathname.split("/").filter(Boolean).at(-1) ?? "download");
}

export function createHttpClient(options: { policy: HttpPolicy; files: HttpFileAccess; signal: AbortSignal; onCall?: (log: HttpCallLog) => void }) {
  const { policy, files } = options;
  let count = 0;

  async function perform<T>(spec: HttpRequestSpec, consume: (response: Awaited<ReturnType<typeof sendWithRedirects>>, headers: Record<string, string>) => Promise<T>): Promise<T> {
    if (++count > policy.maxRequests) throw httpError("limit_exceeded", `An action may send at most ${policy.maxRequests} requests; this was request ${count}.`);
    const started = performance.now();
    const url = buildUrl(spec);
    const log: HttpCallLog = { method: spec.method, host: url.host, path: url.pathname, status: null, ms: 0 };
    const timeoutMs = spec.timeoutSeconds ? Math.min(spec.timeoutSeconds * 1000, 10 * 60_000) : policy.defaultTimeoutMs;
    const { signal, done } = deadlineSignal(options.signal, timeoutMs);
    try {
      const headers: [string, string][] = spec.headers.map(([name, value]) => [name, value]);
      if (spec.basicAuth) headers.push(["authorization", `Basic ${Buffer.from(`${spec.basicAuth.user}:${spec.basicAuth.password}`).toString("base64")}`]);
      if (spec.bearerToken) headers.push(["authorization", `Bearer ${spec.bearerToken}`]);
      const sent = await sendWithRedirects({ method: spec.method, url, headers, body: await prepareBody(spec, files), allowHosts: policy.allowHosts, maxRedirects: policy.maxRedirects, signal, timeoutMs });
      log.status = sent.response.statusCode;
      try {
        return await consume(sent, headerRecord(sent.response.headers));
      } catch (error) {
        if (signal.aborted) throw httpError("timeout", `${spec.method} ${url.host}${url.pathname} did not finish within ${timeoutMs / 1000} s (setRequestTimeout changes this limit).`);
        throw error;
      }
    } catch (error) {
      log.error = (error as { code?: string }).code ?? "error";
      throw error;
    } finally {
      done();
      log.ms = Math.round(performance.now() - started);
      options.onCall?.(log);
    }
  }

  return {
    execute(spec: HttpRequestSpec): Promise<HttpResponse> {
      return perform(spec, async ({ response, url }, headers) => {
        const content = spec.method === "HEAD" ? "" : await readCapped(response.body, headers["content-encoding"], policy.maxResponseBytes, `The response of ${spec.method} ${url.host}${url.pathname}`);
        const statusCode = response.statusCode;
        return { statusCode, content, headers, contentType: headers["content-type"] ?? "", isSuccessful: statusCode >= 200 && statusCode < 300 };
      });
    },
    download(spec: HttpRequestSpec): Promise<DownloadResponse> {
      return perform(spec, async ({ response, url }, headers) => {
        const statusCode = response.statusCode;
        if (statusCode < 200 || statusCode >= 300) {
          await response.body.dump().catch(() => undefined);
          return { statusCode, downloadedFileRef: null, contentLength: 0 };
        }
        const temp = await files.createTempFile(fileNameOf(headers, url), (headers["content-type"] ?? "application/octet-stream").split(";")[0].trim());
        const size = await saveCapped(response.body, headers["content-encoding"], policy.maxDownloadBytes, temp.path, `The download from ${url.host}${url.pathname}`);
        return { statusCode, downloadedFileRef: await temp.finish(size), contentLength: size };
      });
    },
  };
}
