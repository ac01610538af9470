/**
 * The chunk store behind /api/upload on a real temp folder, with a fake clock: incomplete uploads
 * expire (answer as absent, and a sweep deletes them), chunks never land outside their upload's
 * folder, totals cannot change mid-upload, and a finished file is the chunks in order.
 */
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createFlowChunkStore, type FlowChunk, flowFileId } from "../../runtime/server/flow-chunks.ts";

const HOUR = 60 * 60 * 1000;
let root: string;
let clock: number;
const store = () => createFlowChunkStore({ root, ttlMs: 24 * HOUR, sweepEveryMs: HOUR, now: () => clock });

const chunk = (number: number, text: string, totals: Partial<FlowChunk> = {}): FlowChunk => ({
  number,
  totalChunks: 2,
  totalSize: 6,
  fileName: "a.txt",
  contentType: "text/plain",
  bytes: Buffer.from(text),
  ...totals,
});

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "flow-chunks-"));
  clock = Date.parse("2026-01-01T00:00:00Z");
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe("flow chunk store", () => {
  it("assembles the chunks in order into one file with its sha256", async () => {
    const chunks = store();
    const key = flowFileId("alice", "a-6");
    expect(await chunks.put(key, chunk(2, "def"))).toEqual({ complete: false, received: 1, totalChunks: 2 });
    const done = await chunks.put(key, chunk(1, "abc"));
    if (!done.complete) throw new Error("expected the upload to be complete");
    expect(readFileSync(done.file.path, "utf8")).toBe("abcdef");
    expect(done.file).toMatchObject({ size: 6, fileName: "a.txt", contentType: "text/plain" });
    expect(done.file.sha256).toBe(createHash("sha256").update("abcdef").digest("hex"));
  });

  it("an upload with no chunk for longer than the TTL answers as absent and is swept away", async () => {
    const chunks = store();
    const stale = flowFileId("alice", "stale");
    const fresh = flowFileId("alice", "fresh");
    await chunks.put(stale, chunk(1, "abc"));
    clock += 23 * HOUR;
    await chunks.put(fresh, chunk(1, "abc"));
    expect(await chunks.has(stale, 1)).toBe(true); // 23 h: still there
    clock += 2 * HOUR; // stale: 25 h since its last chunk, fresh: 2 h
    await chunks.sweep();
    expect(existsSync(join(root, stale))).toBe(false);
    expect(await chunks.has(fresh, 1)).toBe(true);
    clock += 23 * HOUR;
    expect(await chunks.has(fresh, 1)).toBe(false); // expired on access, before any sweep
    expect(readdirSync(root)).toEqual([]);
  });

  it("a new chunk after expiry starts the upload afresh (the old chunks are gone)", async () => {
    // No sweep in between: the expired upload is noticed by the chunk itself.
    const chunks = createFlowChunkStore({
      root,
      ttlMs: 24 * HOUR,
      sweepEveryMs: 1000 * HOUR,
      now: () => clock,
    });
    const key = flowFileId("alice", "slow");
    await chunks.put(key, chunk(1, "abc"));
    clock += 25 * HOUR;
    expect(await chunks.put(key, chunk(2, "def"))).toEqual({ complete: false, received: 1, totalChunks: 2 });
    expect(await chunks.has(key, 1)).toBe(false);
  });

  it("refuses totals that change mid-upload and bytes beyond flowTotalSize", async () => {
    const chunks = store();
    const key = flowFileId("alice", "changing");
    await chunks.put(key, chunk(1, "abc"));
    await expect(chunks.put(key, chunk(2, "def", { totalSize: 7 }))).rejects.toMatchObject({
      code: "bad_request",
      message: expect.stringContaining("flowTotalSize"),
    });
    await expect(chunks.put(key, chunk(2, "defg"))).rejects.toMatchObject({
      message: expect.stringContaining("more than flowTotalSize"),
    });
    // A short last chunk: every chunk arrived but the sizes do not add up; the upload is dropped.
    await expect(chunks.put(key, chunk(2, "de"))).rejects.toMatchObject({
      message: expect.stringContaining("discarded"),
    });
    expect(existsSync(join(root, key))).toBe(false);
  });

  it("keeps chunks under the upload's hex folder only, whatever the identifier says", async () => {
    const chunks = store();
    const key = flowFileId("alice", "../../etc/passwd");
    expect(key).toMatch(/^[a-f0-9]{32}$/);
    await chunks.put(key, chunk(1, "abc"));
    expect(readdirSync(root)).toEqual([key]);
    await expect(chunks.put("../x", chunk(1, "abc"))).rejects.toMatchObject({ code: "bad_request" });
    expect(flowFileId("bob", "../../etc/passwd")).not.toBe(key);
  });

  it("runs the work on one upload one at a time", async () => {
    const chunks = store();
    const order: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const first = chunks.exclusive("k", async () => {
      order.push("first:start");
      await gate;
      order.push("first:end");
    });
    const second = chunks.exclusive("k", async () => {
      order.push("second");
    });
    await Promise.resolve();
    release();
    await Promise.all([first, second]);
    expect(order).toEqual(["first:start", "first:end", "second"]);
  });
});
