/**
 * A full disk under a real `serve` process: the data folder on a small tmpfs of its own (mounted
 * for this test, unmounted after), filled with a filler file. A write answers 507 `storage_full`
 * with a message an admin can act on, `/health` is not ready while writes fail, reads go on, and
 * everything works again once space is freed.
 */
import { execFileSync } from "node:child_process";
import { closeSync, cpSync, mkdirSync, mkdtempSync, openSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { request } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isDiskFull, publicError } from "../../runtime/errors.ts";
import { STORAGE_FULL_WINDOW_MS } from "../../runtime/store/index.ts";
import { watchStorage } from "../../runtime/store/storage-full.ts";
import { runCli } from "../helpers/cli.ts";
import { FIXTURE_APPS } from "../helpers/runtime.ts";
import { type ServeChild, startServeChild } from "../helpers/serve-child.ts";

const dir = mkdtempSync(join(tmpdir(), "comind-full-"));
const mountPoint = join(dir, "disk");
const filler = join(mountPoint, "filler");
let serve: ServeChild | undefined;
let token: string;

/** Writes zeros until the file system says ENOSPC. */
function fillDisk(): void {
  const fd = openSync(filler, "a");
  const chunk = Buffer.alloc(64 * 1024);
  try {
    for (;;) writeSync(fd, chunk);
  } catch (error) {
    if ((error as { code?: string }).code !== "ENOSPC") throw error;
  } finally {
    closeSync(fd);
  }
}

beforeAll(async () => {
  mkdirSync(mountPoint);
  execFileSync("mount", ["-t", "tmpfs", "-o", "size=16m", "tmpfs", mountPoint]);
  const apps = join(dir, "apps");
  cpSync(join(FIXTURE_APPS, "app-probe"), join(apps, "app-probe"), { recursive: true });
  const data = join(mountPoint, "data");
  token = JSON.parse((await runCli(["token", "create", "alice", "--admin", "--data", data, "--json"])).stdout)
    .token as string;
  serve = await startServeChild(["--apps", apps, "--data", data, "--workers", "0"], {});
}, 120_000);
afterAll(async () => {
  await serve?.stop();
  try {
    execFileSync("umount", [mountPoint]);
  } catch {
    execFileSync("umount", ["-l", mountPoint]); // a file still open: detach now, freed when closed
  }
  rmSync(dir, { recursive: true, force: true });
});

async function call(path: string, body?: unknown) {
  const res = await request(`${serve!.url}${path}`, {
    method: body === undefined ? "GET" : "POST",
    headers: { authorization: `CMW_AUTH_CODE ${token}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.statusCode, headers: res.headers, body: (await res.body.json()) as any };
}

describe("a full disk", () => {
  it("answers 507 storage_full, is not ready meanwhile, keeps reading, and recovers", async () => {
    const added = await call("/api/tickets/multi", [
      { transition: "add", app_alias: "PROBE", c_note: "before" },
    ]);
    expect(added.status).toBe(200);
    const id = added.body[0].data.id as string;

    fillDisk();
    // Edits larger than what the WAL could reuse, until one needs space the disk does not have.
    const big = "x".repeat(90_000);
    let failed = await call("/api/tickets/multi", [{ id, transition: "edit", c_note: big }]);
    for (let i = 0; i < 200 && failed.status === 200; i++)
      failed = await call("/api/tickets/multi", [{ id, transition: "edit", c_note: `${i}${big}` }]);
    expect(failed.status, JSON.stringify(failed.body).slice(0, 1500) + serve!.output().slice(-3000)).toBe(
      507,
    );
    expect(failed.body.error.code).toBe("storage_full");
    expect(failed.body.error.message).toMatch(/free space/);
    expect(failed.body.error.message).not.toMatch(/SQLITE|\/tmp|disk\/data/);
    const health = await call("/health");
    expect(health.status).toBe(503);
    expect(health.body).toMatchObject({ ok: false, store: "full", error: { code: "storage_full" } });
    const read = await call(`/api/w/DEMO/a/PROBE/tickets/list`, { rlx: `id="${id}"` });
    expect(read.status).toBe(200);
    expect(read.body[0].revision).toBeGreaterThan(0);

    rmSync(filler);
    const edited = await call("/api/tickets/multi", [{ id, transition: "edit", c_note: big }]);
    expect(edited.status).toBe(200);
    expect((await call("/health")).status).toBe(200);
    expect(serve!.alive()).toBe(true);
  }, 120_000);
});

describe("storage_full", () => {
  it("is what SQLite's, Postgres's and the file system's no-space errors become", () => {
    const sqliteFull = Object.assign(new Error("database or disk is full"), {
      code: "ERR_SQLITE_ERROR",
      errcode: 13,
    });
    const sqliteBusy = Object.assign(new Error("database is locked"), {
      code: "ERR_SQLITE_ERROR",
      errcode: 5,
    });
    expect(isDiskFull(sqliteFull)).toBe(true);
    expect(isDiskFull(sqliteBusy)).toBe(false);
    expect(isDiskFull(Object.assign(new Error("could not extend file"), { code: "53100" }))).toBe(true);
    expect(isDiskFull(Object.assign(new Error("no space left on device"), { code: "ENOSPC" }))).toBe(true);
    expect(publicError(Object.assign(new Error("x"), { code: "EDQUOT" })).code).toBe("storage_full");
  });

  it("keeps the store not ready until a commit succeeds or the window passes", async () => {
    let clock = 1_000;
    let full = true;
    const store = watchStorage(
      {
        ping: async () => undefined,
        commit: async () => {
          if (full) throw Object.assign(new Error("disk full"), { code: "ENOSPC" });
          return [];
        },
      } as never,
      () => clock,
    );
    await store.ping();
    await expect(store.commit({} as never)).rejects.toMatchObject({ code: "storage_full" });
    await expect(store.ping()).rejects.toMatchObject({ code: "storage_full" });
    clock += STORAGE_FULL_WINDOW_MS;
    await store.ping(); // the window passed: ready again, so traffic can find out
    await expect(store.commit({} as never)).rejects.toMatchObject({ code: "storage_full" });
    await expect(store.ping()).rejects.toMatchObject({ code: "storage_full" });
    full = false;
    await store.commit({} as never);
    await store.ping();
  });
});
