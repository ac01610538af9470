/**
 * `serve` checkpoints the SQLite WAL on a background thread: the committed pages reach the
 * database file without the store's own connection checkpointing (its autocheckpoint is only a
 * safety net then), nothing is lost, and closing the store stops the thread.
 */
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { DatabaseSync } from "node:sqlite";
import { afterEach, describe, expect, it } from "vitest";
import { FALLBACK_PAGES } from "../../runtime/store/sqlite/checkpointer.ts";
import { openSqliteStore, sqliteFile } from "../../runtime/store/sqlite/index.ts";
import type { Store } from "../../runtime/store/index.ts";
import { changeSet, insert, newWorkspace } from "./builders.ts";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function newDataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "comind-checkpoints-"));
  dirs.push(dir);
  return dir;
}

async function commitMany(store: Store, workspace: string, count: number): Promise<void> {
  for (let i = 0; i < count; i++)
    await store.commit(
      changeSet(workspace, [insert("DEMO", { title: `record ${i}`, body: "x".repeat(500) })]),
    );
}

async function until(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (condition()) return true;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return condition();
}

/** The store's one SQLite connection, through the port the store offers for it (queue storage). */
function connectionOf(store: Store): DatabaseSync {
  const storage = store.queueStorage;
  if (storage.engine !== "sqlite") throw new Error("expected the SQLite store");
  return storage.db;
}

describe("background checkpoints", () => {
  it("copy committed pages into the database file while the store's connection only writes the WAL", async () => {
    const dataDir = newDataDir();
    const store = await openSqliteStore(dataDir, { backgroundCheckpoints: true });
    const db = connectionOf(store);
    expect(db.prepare("PRAGMA wal_autocheckpoint").get()).toEqual({ wal_autocheckpoint: FALLBACK_PAGES });
    const before = statSync(sqliteFile(dataDir)).size;
    await commitMany(store, newWorkspace(), 200); // well under FALLBACK_PAGES of WAL
    expect(await until(() => statSync(sqliteFile(dataDir)).size > before, 10_000)).toBe(true);
    await store.close();
  });

  it("lose nothing: every commit is there after the store is closed and opened again", async () => {
    const dataDir = newDataDir();
    const workspace = newWorkspace();
    const store = await openSqliteStore(dataDir, { backgroundCheckpoints: true });
    await commitMany(store, workspace, 300);
    await store.close();
    const reopened = await openSqliteStore(dataDir);
    expect(await reopened.countRecords({ workspace, app: "DEMO" })).toBe(300);
    await reopened.close();
  });

  it("a store opened without them (the CLI) checkpoints on its own connection as SQLite does by default", async () => {
    const dataDir = newDataDir();
    const store = await openSqliteStore(dataDir);
    const db = connectionOf(store);
    expect(db.prepare("PRAGMA wal_autocheckpoint").get()).toEqual({ wal_autocheckpoint: 1000 });
    await store.close();
  });
});
