import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openSqliteStore } from "../../runtime/store/sqlite/index.ts";
import type { Store } from "../../runtime/store/index.ts";
import { ROOT } from "../helpers/cli.ts";
import { changeSet, insert } from "./builders.ts";

// Another process (a CLI run on the same --data folder) holds the SQLite write lock. The server's
// event loop must keep running: reads answer, timers fire, and a write waits without blocking.
const NODE = join(ROOT, "node_modules", ".bin", "node");
const LOCK_HOLDER = `
const { DatabaseSync } = require("node:sqlite");
const db = new DatabaseSync(process.argv[1]);
db.exec("BEGIN IMMEDIATE");
db.exec("INSERT INTO sequences (workspace, name, value) VALUES ('LOCK', 'held', 1) ON CONFLICT (workspace, name) DO UPDATE SET value = value + 1");
process.stdout.write("locked\\n");
process.stdin.once("data", () => { db.exec("COMMIT"); db.close(); process.stdout.write("released\\n"); });
`;

let dir: string;
let store: Store;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "comind-busy-"));
  store = await openSqliteStore(dir, { busyWaitMs: 60_000 });
  await store.commit(changeSet("DEMO", [insert("ITEMS", { c_name: "before" }, "r-before")]));
});
afterAll(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A child process holding a write transaction on the store's file until `release()`. */
async function holdWriteLock(): Promise<{ child: ChildProcessWithoutNullStreams; release(): Promise<void> }> {
  const child = spawn(NODE, ["-e", LOCK_HOLDER, join(dir, "comind.sqlite")]);
  let out = "";
  const seen = (text: string) =>
    new Promise<void>((resolve, reject) => {
      const check = () => out.includes(text) && resolve();
      child.stdout.on("data", (chunk) => {
        out += chunk;
        check();
      });
      child.once("exit", (code) =>
        out.includes(text) ? resolve() : reject(new Error(`lock holder exited ${code}`)),
      );
      check();
    });
  await seen("locked");
  return {
    child,
    async release() {
      child.stdin.write("go\n");
      await seen("released");
    },
  };
}

describe("SQLite store while another process holds the write lock", () => {
  it("keeps answering reads and timers while a write waits, then writes", async () => {
    const holder = await holdWriteLock();
    try {
      let settled = false;
      const called = performance.now();
      const write = store
        .commit(changeSet("DEMO", [insert("ITEMS", { c_name: "during" }, "r-during")]))
        .finally(() => (settled = true));
      // The call returns at once: SQLite's own wait (which blocks the thread) is milliseconds, not
      // the 10 s busy_timeout that used to freeze the server until the other process let go.
      expect(performance.now() - called).toBeLessThan(2_000);
      // The event loop runs: a timer fires and reads answer while the write is still waiting.
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(await store.getRecord("DEMO", "r-before")).toMatchObject({ fields: { c_name: "before" } });
      expect(await store.findRecords({ workspace: "DEMO", app: "ITEMS" })).toHaveLength(1);
      expect(settled).toBe(false);
      await holder.release();
      const [written] = await write;
      expect(written).toMatchObject({ id: "r-during", revision: 1 });
      expect(await store.nextSequence("LOCK", "held")).toBe(2);
    } finally {
      holder.child.kill();
    }
  }, 120_000);

  it("holds a whole group of commits while locked, then writes each once", async () => {
    const holder = await holdWriteLock();
    try {
      // Three change sets in one turn: one group, whose BEGIN is refused while the lock is held.
      const writes = ["g1", "g2", "g3"].map((id) =>
        store.commit(changeSet("DEMO", [insert("ITEMS", { c_name: id }, `r-${id}`)])),
      );
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(await store.getRecord("DEMO", "r-g1")).toBeNull();
      await holder.release();
      const written = await Promise.all(writes);
      expect(written.map(([record]) => record.id)).toEqual(["r-g1", "r-g2", "r-g3"]);
      expect(await store.findRecords({ workspace: "DEMO", app: "ITEMS" })).toHaveLength(5);
    } finally {
      holder.child.kill();
    }
  }, 120_000);

  it("gives up with store_busy when the lock outlasts the wait", async () => {
    const impatient = await openSqliteStore(dir, { busyWaitMs: 300 });
    const holder = await holdWriteLock();
    try {
      await expect(
        impatient.commit(changeSet("DEMO", [insert("ITEMS", { c_name: "late" }, "r-late")])),
      ).rejects.toMatchObject({
        code: "store_busy",
        message: expect.stringMatching(/locked by another process/),
      });
    } finally {
      await holder.release();
      holder.child.kill();
      await impatient.close();
    }
    expect(await store.getRecord("DEMO", "r-late")).toBeNull();
  }, 120_000);
});
