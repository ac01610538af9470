/**
 * Limits and runtime options are checked by their zod schemas: a value that withLimits used to
 * drop silently (0, a negative, NaN) or a misspelt key is refused with a message naming it.
 */
import { describe, expect, it } from "vitest";
import { createActionRuntime } from "../../runtime/runs/index.ts";
import { DocumentPool } from "../../runtime/host/index.ts";
import { DEFAULT_LIMITS, withLimits } from "../../runtime/sandbox/index.ts";
import type { Store } from "../../runtime/store/index.ts";

function refusal(run: () => unknown): { code: string; message: string } {
  try {
    run();
  } catch (error) {
    return { code: (error as { code: string }).code, message: (error as Error).message };
  }
  throw new Error("expected a refusal");
}

describe("sandbox limits schema", () => {
  it("fills the defaults and keeps in-range overrides; undefined keeps the default", () => {
    expect(withLimits()).toEqual(DEFAULT_LIMITS);
    expect(withLimits({ cpuMs: 300, wallMs: undefined, maxRequests: 3 })).toEqual({
      ...DEFAULT_LIMITS,
      cpuMs: 300,
      maxRequests: 3,
    });
  });

  it.each([
    [{ cpuMs: 0 }, "limits.cpuMs must be a whole number from 1 to 86,400,000, got 0."],
    [{ wallMs: -5 }, "limits.wallMs must be a whole number from 1 to 86,400,000, got -5."],
    [{ memoryMb: 4 }, "limits.memoryMb must be a whole number from 8 to 65,536, got 4."],
    [{ maxRequests: 1.5 }, "limits.maxRequests must be a whole number from 1 to 1,000,000, got 1.5."],
    [{ cpuMs: Number.NaN }, "limits.cpuMs must be a whole number from 1 to 86,400,000, got NaN."],
    [{ cpuMs: "300" }, 'limits.cpuMs must be a whole number from 1 to 86,400,000, got "300".'],
    [
      { cpuMS: 300 },
      "limits.cpuMS is not a known setting; use cpuMs, wallMs, wallLimitMs, memoryMb, maxRequests, maxResponseBytes, maxDownloadBytes, requestTimeoutMs, maxLogBytes.",
    ],
  ])("refuses %j (it used to be dropped) with a bad_request naming it", (overrides, message) => {
    expect(refusal(() => withLimits(overrides as never))).toEqual({ code: "bad_request", message });
  });
});

describe("runtime options schema", () => {
  const store = { kind: "sqlite" } as unknown as Store;

  it.each([
    [{ workers: -1 }, "createActionRuntime: workers must be a whole number from 0 to 64, got -1."],
    [{ spareWorkers: 2 }, "createActionRuntime: spareWorkers must be a whole number from 0 to 1, got 2."],
    [{ workerNice: 20 }, "createActionRuntime: workerNice must be a whole number from 0 to 19, got 20."],
    [
      { limits: { memoryMb: 0 } },
      "createActionRuntime: limits.memoryMb must be a whole number from 8 to 65,536, got 0.",
    ],
    [
      { documents: { maxImagePixels: -1 } },
      "createActionRuntime: documents.maxImagePixels must be a whole number from 1 to 1,000,000,000, got -1.",
    ],
    [{ worker: 2 }, "createActionRuntime: worker is not a known setting; use store, workspace"],
    [{ allowHosts: "127.0.0.1" }, "createActionRuntime: allowHosts"],
  ])("refuses %j", async (options, message) => {
    await expect(createActionRuntime({ store, secrets: {}, ...(options as object) })).rejects.toMatchObject({
      code: "bad_request",
      message: expect.stringContaining(message),
    });
  });

  it("does not echo a secret passed where an object belongs", async () => {
    await expect(
      createActionRuntime({ store, secrets: "COMIND_SECRET_KEY=hunter2" as never }),
    ).rejects.toThrow(/^createActionRuntime: secrets must be an object of secret values\.$/);
  });

  it("refuses a missing store by name", async () => {
    await expect(createActionRuntime({} as never)).rejects.toMatchObject({
      code: "bad_request",
      message: expect.stringContaining("createActionRuntime: store is required"),
    });
  });

  it("refuses a document cap that DocumentPool used to replace by its default", () => {
    expect(refusal(() => new DocumentPool({ threadHeapMb: 0 }))).toEqual({
      code: "bad_request",
      message: "documents.threadHeapMb must be a whole number from 16 to 65,536, got 0.",
    });
  });
});
