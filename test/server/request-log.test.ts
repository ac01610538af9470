/** The server log: one line per request, written in batches rather than a write per line. */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createServerLog } from "../../runtime/server/index.ts";
import { startApi } from "../helpers/server.ts";

const dir = mkdtempSync(join(tmpdir(), "comind-log-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const lines = (path: string) =>
  readFileSync(path, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line));

describe("server log", () => {
  it("buffers lines and writes them together, not one write per line", async () => {
    const path = join(dir, "buffered.log");
    const log = createServerLog("info", path);
    await new Promise((resolve) => setTimeout(resolve, 50)); // the file is opened asynchronously
    for (let i = 0; i < 10; i++) log.logger.info({ i }, "line");
    expect(readFileSync(path, "utf8")).toBe("");
    log.flush();
    expect(lines(path).map((line) => line.i)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it("logs one line per answered request at info, with method, url, status and time", async () => {
    const path = join(dir, "requests.log");
    const log = createServerLog("info", path);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const api = await startApi([], { server: { logger: log.logger } });
    try {
      expect((await api.get("/api/common")).statusCode).toBe(200);
      expect((await api.get("/api/common", {})).statusCode).toBe(401);
    } finally {
      await api.close();
    }
    log.flush();
    const requests = lines(path).filter((line) => line.url === "/api/common");
    expect(requests).toHaveLength(2);
    expect(requests.map((line) => [line.msg, line.method, line.statusCode])).toEqual([
      ["request", "GET", 200],
      ["request", "GET", 401],
    ]);
    expect(typeof requests[0].ms).toBe("number");
  });
});
