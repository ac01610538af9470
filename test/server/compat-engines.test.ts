/**
 * The store-backed parts of the compatibility routes on both engines: changed-since counts
 * (tombstones included), includeDeletedAfter, app-scoped history values and stable app ids that
 * survive a server restart on the same store.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FastifyInstance } from "fastify";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { createActionRuntime, type ActionRuntime } from "../../runtime/runs/index.ts";
import { createToken } from "../../runtime/server/auth.ts";
import { createServer } from "../../runtime/server/index.ts";
import { openStore, type Store, type StoreOptions } from "../../runtime/store/index.ts";
import { ENGINES } from "../helpers/engines.ts";
import { removeTempApps, writeTempApp } from "../helpers/temp-app.ts";

const appDir = writeTempApp(
  { "fields/index.ts": 'export default [{ name: "c_n", caption: "N", type: "number" }] as const;\n' },
  { alias: "ITEM" },
);
/** The server's own folder (tus uploads), apart from the store's, so no engine writes into the repo. */
const serverDir = mkdtempSync(join(tmpdir(), "comind-compat-"));
afterAll(() => {
  removeTempApps();
  rmSync(serverDir, { recursive: true, force: true });
});

interface Running {
  server: FastifyInstance;
  runtime: ActionRuntime;
  store: Store;
}

async function start(options: StoreOptions): Promise<Running> {
  const store = await openStore(options);
  const runtime = await createActionRuntime({ store, secrets: {} });
  await runtime.loadApp(appDir);
  const server = await createServer({ runtime, store, workspace: "DEMO", dataDir: serverDir });
  return { server, runtime, store };
}

async function stop(running: Running): Promise<void> {
  await running.server.close();
  await running.runtime.close();
  await running.store.close();
}

describe.each(ENGINES)("compatibility routes on $name", (engine) => {
  let options: StoreOptions;
  let cleanup: () => Promise<void>;
  let running: Running;
  let headers: { authorization: string };

  beforeAll(async () => {
    ({ options, cleanup } = await engine.create());
    running = await start(options);
    headers = { authorization: `CMW_AUTH_CODE ${await createToken(running.store, { id: "bob" })}` };
  });
  afterAll(async () => {
    await stop(running);
    await cleanup();
  });

  const get = async (url: string) => (await running.server.inject({ method: "GET", url, headers })).json();
  const multi = async (items: unknown[]) =>
    (
      await running.server.inject({ method: "POST", url: "/api/tickets/multi", payload: items, headers })
    ).json();

  it("counts changes and deletes since a time and lists the deleted records after it", async () => {
    const [a, b] = await multi([
      { app_alias: "ITEM", c_n: 1 },
      { app_alias: "ITEM", c_n: 2 },
    ]);
    await sleep(5);
    const since = new Date().toISOString();
    await sleep(5);
    await multi([
      { id: a.data.id, c_n: 10 },
      { id: b.data.id, transition: "delete" },
    ]);
    expect(await get(`/api/aid/ITEM/tickets/changed?sinceTime=${since}`)).toEqual({ status: "ok", data: 2 });
    const listed = await get(`/api/w/DEMO/a/ITEM/tickets/list?includeDeletedAfter=${since}&limitRecords=100`);
    expect(listed.filter((r: any) => r.is_deleted)).toEqual([
      expect.objectContaining({ id: b.data.id, number: b.data.number, is_deleted: true }),
    ]);
    const versions = await get(
      `/api/w/DEMO/a/ITEM/tickets/history?rlx=id="${a.data.id}"&sortby=revision asc`,
    );
    expect(versions.map((v: any) => v.c_n)).toEqual([1, 10]);
  });

  it("keeps app ids across a restart on the same store", async () => {
    const before = (await get("/api/projects/DEMO!WORKSPACE")).apps[0].id;
    await stop(running);
    running = await start(options);
    expect((await get("/api/projects/DEMO!WORKSPACE")).apps[0].id).toBe(before);
    expect(await get(`/api/aid/${before}/tickets/changed?sinceTime=2000-01-01`)).toEqual({
      status: "ok",
      data: 2,
    });
  });
});
