/**
 * openQueue's options (runtime/queue/options-schema.ts): a bad value is refused with a message
 * naming the option, never clamped or dropped; good ones open a working queue.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openQueue, type QueueOptions } from "../../runtime/queue/index.ts";
import { openStore, type Store } from "../../runtime/store/index.ts";
import { SQLITE } from "../helpers/engines.ts";

let store: Store;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  const engine = await SQLITE.create();
  cleanup = engine.cleanup;
  store = await openStore(engine.options);
});
afterAll(async () => {
  await store.close();
  await cleanup();
});

describe("openQueue options", () => {
  it.each([
    [{ concurrency: 0 }, "openQueue: concurrency must be a whole number from 1 to 1,024, got 0."],
    [{ concurrency: 2.5 }, "openQueue: concurrency must be a whole number from 1 to 1,024, got 2.5."],
    [{ concurrency: "4" }, 'openQueue: concurrency must be a whole number from 1 to 1,024, got "4".'],
    [
      { lockTimeoutMs: 10 },
      "openQueue: lockTimeoutMs must be a whole number from 1,000 to 86,400,000, got 10.",
    ],
    [{ pollMs: Number.NaN }, "openQueue: pollMs must be a whole number from 10 to 600,000, got NaN."],
    [{ pollMs: -1 }, "openQueue: pollMs must be a whole number from 10 to 600,000, got -1."],
    [
      { graphileSchema: "Robert'); DROP" },
      "openQueue: graphileSchema must be lower-case letters, digits or _",
    ],
    [{ onError: "log it" }, "openQueue: onError must be a function."],
    [{ now: 5 }, "openQueue: now must be a function."],
    [{ quotas: { pendingPerUser: 0 } }, "openQueue: quotas.pendingPerUser must be a whole number from 1"],
    [{ lockTimeout: 5_000 }, "openQueue: lockTimeout is not a known setting; use concurrency, lockTimeoutMs"],
  ])("refuses %j by name", async (options, message) => {
    const refused = openQueue(store, options as QueueOptions);
    await expect(refused).rejects.toMatchObject({ code: "bad_request" });
    await expect(refused).rejects.toThrow(message);
  });

  it("opens a working queue with good options", async () => {
    const queue = await openQueue(store, { concurrency: 1, pollMs: 50, lockTimeoutMs: 60_000 });
    try {
      expect(await queue.listRuns({ workspace: "DEMO", limit: 10 })).toEqual([]);
    } finally {
      await queue.close();
    }
  });
});
