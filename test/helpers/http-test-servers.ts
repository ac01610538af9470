/**
 * Helpers of the runtime/host/http tests: real node:http servers on loopback addresses (port 0)
 * that count connections and requests, and an in-memory HttpFileAccess over a temp folder.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type IncomingHttpHeaders, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FileRef, HttpRequestSpec } from "../../globals/bridge-contract.ts";
import type { HttpFileAccess } from "../../runtime/host/http/index.ts";

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
