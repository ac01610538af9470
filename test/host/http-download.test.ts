import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { existsSync, readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { downloadFileName } from "../../runtime/host/http/download.ts";
import { closeAgents, HttpError, type HttpPolicy } from "../../runtime/host/http/index.ts";
import {
  loopbackClient,
  type LoopbackServer,
  spec,
  startLoopbackServer,
  testFiles,
  type TestFiles,
} from "../helpers/http-test-servers.ts";

// downloadFile: the body streams to a temp file from HttpFileAccess, capped at maxDownloadBytes.
const PDF = Buffer.from(`%PDF-1.7\n${"binary \u0000\u0001\u0002\u00ff ".repeat(5000)}`, "latin1");
let api: LoopbackServer;
let files: TestFiles;

beforeAll(async () => {
  api = await startLoopbackServer((req, res) => {
    const path = decodeURIComponent(req.path);
    if (path === "/report")
      return res
        .writeHead(200, {
          "content-type": "application/pdf",
          "content-disposition": 'attachment; filename="monthly report.pdf"',
        })
        .end(PDF);
    if (path === "/utf8")
      return res
        .writeHead(200, {
          "content-type": "text/csv; charset=utf-8",
          "content-disposition":
            "attachment; filename=\"fallback.csv\"; filename*=UTF-8''%C3%BCbersicht%202024.csv",
        })
        .end("a,b\n1,2\n");
    if (path === "/files/data export.json")
      return res.writeHead(200, { "content-type": "application/json" }).end("{}");
    if (path === "/") return res.end("root");
    if (path === "/traversal")
      return res
        .writeHead(200, { "content-disposition": 'attachment; filename="../../etc/passwd"' })
        .end("x");
    if (path === "/empty") return res.writeHead(200, { "content-type": "text/plain" }).end();
    if (path === "/missing") return res.writeHead(404, { "content-type": "text/plain" }).end("not here");
    if (path === "/gzip")
      return res
        .writeHead(200, { "content-encoding": "gzip", "content-type": "text/plain" })
        .end(gzipSync("unzipped text"));
    if (path === "/big")
      return res
        .writeHead(200, { "content-type": "application/octet-stream" })
        .end(Buffer.alloc(256 * 1024, 1));
    if (path === "/redirect") return res.writeHead(302, { location: "/report" }).end();
    res.writeHead(500).end();
  });
  files = testFiles();
});

afterAll(async () => {
  await closeAgents();
  await api.close();
  files.cleanup();
});

const client = (policy: Partial<HttpPolicy> = {}) => loopbackClient(files, policy);

describe("downloadFile", () => {
  it("streams the body to a temp file named by Content-Disposition and returns its FileRef", async () => {
    const result = await client().download(spec(api.url, "/report"));
    expect(result).toEqual({
      statusCode: 200,
      contentLength: PDF.length,
      downloadedFileRef: {
        ref: expect.any(String),
        fileName: "monthly report.pdf",
        contentType: "application/pdf",
        size: PDF.length,
      },
    });
    const temp = files.created.at(-1)!;
    expect(temp).toMatchObject({ fileName: "monthly report.pdf", contentType: "application/pdf" });
    expect(readFileSync(temp.path)).toEqual(PDF);
  });

  it("prefers filename* and drops media type parameters", async () => {
    const result = await client().download(spec(api.url, "/utf8"));
    expect(result.downloadedFileRef).toMatchObject({
      fileName: "übersicht 2024.csv",
      contentType: "text/csv",
      size: 8,
    });
  });

  it('falls back to the last URL path segment, then to "download"', async () => {
    expect(
      (await client().download(spec(api.url, "/files/{name}", { segments: [["name", "data export.json"]] })))
        .downloadedFileRef,
    ).toMatchObject({ fileName: "data export.json", contentType: "application/json" });
    expect((await client().download(spec(api.url, "/"))).downloadedFileRef).toMatchObject({
      fileName: "download",
      contentType: "application/octet-stream",
      size: 4,
    });
  });

  it("keeps only the base name of a hostile filename", async () => {
    expect((await client().download(spec(api.url, "/traversal"))).downloadedFileRef?.fileName).toBe("passwd");
    const url = new URL("http://h/x/report.pdf");
    expect(
      downloadFileName({ "content-disposition": 'attachment; filename="..\\\\..\\\\boot.ini"' }, url),
    ).toBe("boot.ini");
    expect(downloadFileName({ "content-disposition": 'attachment; filename=".."' }, url)).toBe("report.pdf");
    expect(
      downloadFileName({ "content-disposition": 'attachment; filename="a\u0000b\u001f.txt"' }, url),
    ).toBe("ab.txt");
    // A filename* that does not decode names nothing: the URL does.
    expect(
      downloadFileName({ "content-disposition": "attachment; filename*=UTF-8''%E0%A4%A.txt" }, url),
    ).toBe("report.pdf");
    expect(downloadFileName({ "content-disposition": "inline; filename=plain.txt; size=3" }, url)).toBe(
      "plain.txt",
    );
  });

  it("downloads an empty body as an empty file", async () => {
    expect(await client().download(spec(api.url, "/empty"))).toMatchObject({
      statusCode: 200,
      contentLength: 0,
      downloadedFileRef: { size: 0 },
    });
  });

  it("returns a null FileRef for a non-2xx status and creates no file", async () => {
    const before = files.created.length;
    expect(await client().download(spec(api.url, "/missing"))).toEqual({
      statusCode: 404,
      downloadedFileRef: null,
      contentLength: 0,
    });
    expect(await client().download(spec(api.url, "/unknown"))).toEqual({
      statusCode: 500,
      downloadedFileRef: null,
      contentLength: 0,
    });
    expect(files.created.length).toBe(before);
  });

  it("follows redirects and decompresses a Content-Encoding", async () => {
    expect((await client().download(spec(api.url, "/redirect"))).downloadedFileRef).toMatchObject({
      fileName: "monthly report.pdf",
      size: PDF.length,
    });
    const gz = await client().download(spec(api.url, "/gzip"));
    expect(gz.contentLength).toBe("unzipped text".length);
    expect(readFileSync(files.created.at(-1)!.path, "utf8")).toBe("unzipped text");
  });

  it("caps the download at maxDownloadBytes and removes the partial file", async () => {
    const error = await client({ maxDownloadBytes: 64 * 1024 })
      .download(spec(api.url, "/big"))
      .then(
        () => null,
        (e: unknown) => e as HttpError,
      );
    expect(error).toBeInstanceOf(HttpError);
    expect(error?.code).toBe("limit_exceeded");
    expect(error?.message).toContain(`GET 127.0.0.1:${api.port}/big`);
    const temp = files.created.at(-1)!;
    expect(temp.finished).toBeNull();
    expect(existsSync(temp.path)).toBe(false);
    // maxResponseBytes does not apply to downloads
    expect((await client({ maxResponseBytes: 1024 }).download(spec(api.url, "/big"))).contentLength).toBe(
      256 * 1024,
    );
  });
});
