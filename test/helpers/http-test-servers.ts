/**
 * Helpers of the runtime/host/http tests: real node:http servers on loopback addresses (port 0)
 * that count connections and requests, an in-memory HttpFileAccess over a temp folder, and the
 * host's HTTP client allowed to reach 127.0.0.1 only.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type IncomingHttpHeaders, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FileRef, HttpRequestSpec } from "../../globals/bridge-contract.ts";
import { expect } from "vitest";
import {
  createHttpClient,
  DEFAULT_HTTP_POLICY,
  type HttpCallLog,
  HttpError,
  type HttpFileAccess,
  type HttpPolicy,
} from "../../runtime/host/http/index.ts";

export interface Received {
  method: string;
  url: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export interface LoopbackServer {
  url: string;
  host: string;
  port: number;
  received: Received[];
  /** TCP connections accepted, whether or not a request followed. */
  connections: number;
  close(): Promise<void>;
}

export type Handler = (req: Received, res: ServerResponse) => void;

export async function startLoopbackServer(handler: Handler, host = "127.0.0.1"): Promise<LoopbackServer> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const url = req.url ?? "/";
      const received: Received = {
        method: req.method ?? "",
        url,
        path: url.split("?")[0],
        headers: req.headers,
        body: Buffer.concat(chunks),
      };
      state.received.push(received);
      handler(received, res);
    });
  });
  const state = {
    url: "",
    host,
    port: 0,
    received: [] as Received[],
    connections: 0,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  server.on("connection", () => state.connections++);
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  state.port = (server.address() as AddressInfo).port;
  state.url = `http://${host}:${state.port}`;
  return state;
}

/** A server on 127.0.0.2 that no test may reach: its `connections` must stay 0 (egress tests). */
export function startForbiddenServer(): Promise<LoopbackServer> {
  return startLoopbackServer((_req, res) => res.end("you should never see this"), "127.0.0.2");
}

/** The multipart/form-data body a server received, parsed. */
export function formOf(req: Received): Promise<FormData> {
  return new Request("http://x/", {
    method: "POST",
    headers: req.headers as Record<string, string>,
    body: req.body,
  }).formData();
}

/** What the echo handler answers: the request as the server saw it. */
export interface Echo {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export const echo: Handler = (req, res) => {
  res.writeHead(200, { "content-type": "application/json" });
  res.end(
    JSON.stringify({
      method: req.method,
      url: req.url,
      headers: req.headers,
      body: req.body.toString("utf8"),
    } satisfies Echo),
  );
};

/** A request spec with empty lists, as RestApi.createRequest builds it. */
export function spec(baseUrl: string, path: string, extra: Partial<HttpRequestSpec> = {}): HttpRequestSpec {
  return {
    baseUrl,
    path,
    method: "GET",
    headers: [],
    query: [],
    params: [],
    segments: [],
    files: [],
    ...extra,
  };
}

export interface TestFiles extends HttpFileAccess {
  dir: string;
  add(fileName: string, contentType: string, bytes: Buffer): string;
  created: { fileName: string; contentType: string; path: string; finished: FileRef | null }[];
  cleanup(): void;
}

/** An HttpFileAccess over a temp folder, recording every temp file it hands out. */
export function testFiles(): TestFiles {
  const dir = mkdtempSync(join(tmpdir(), "comind-http-test-"));
  const stored = new Map<string, { fileName: string; contentType: string; path: string; size: number }>();
  const created: TestFiles["created"] = [];
  let next = 0;
  return {
    dir,
    created,
    add(fileName, contentType, bytes) {
      const ref = `file-${++next}`;
      const path = join(dir, ref);
      writeFileSync(path, bytes);
      stored.set(ref, { fileName, contentType, path, size: bytes.length });
      return ref;
    },
    async readFile(ref) {
      const file = stored.get(ref);
      if (!file) throw Object.assign(new Error(`unknown file ${ref}`), { code: "not_found" });
      return file;
    },
    async createTempFile(fileName, contentType) {
      const ref = `temp-${++next}`;
      const entry = { fileName, contentType, path: join(dir, ref), finished: null as FileRef | null };
      created.push(entry);
      return {
        path: entry.path,
        async finish(size: number) {
          entry.finished = { ref, fileName, contentType, size };
          return entry.finished;
        },
      };
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** The host's HTTP client, allowed to reach 127.0.0.1 (the servers above) and nothing else unless `policy` says. */
export function loopbackClient(
  files: HttpFileAccess,
  policy: Partial<HttpPolicy> = {},
  options: { onCall?: (log: HttpCallLog) => void; signal?: AbortSignal } = {},
) {
  return createHttpClient({
    policy: { ...DEFAULT_HTTP_POLICY, allowHosts: ["127.0.0.1"], ...policy },
    files,
    signal: options.signal ?? new AbortController().signal,
    onCall: options.onCall,
  });
}

/** The HttpError a request failed with; the test fails when it succeeded or failed otherwise. */
export async function httpErrorOf(promise: Promise<unknown>): Promise<HttpError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(HttpError);
  return error as HttpError;
}
