/**
 * A real `serve` child on a throwaway Postgres cluster (never the shared one), with one fixture
 * app and an API token: the stage of the database-outage tests. `call` goes through the REST API.
 */
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { request } from "undici";
import { createToken } from "../../runtime/server/auth.ts";
import { openStore } from "../../runtime/store/index.ts";
import { startThrowawayCluster, type ThrowawayCluster } from "./pg-cluster.ts";
import { FIXTURE_APPS } from "./runtime.ts";
import { startServeChild, type ServeChild } from "./serve-child.ts";

export interface OutageStage {
  cluster: ThrowawayCluster;
  serve: ServeChild;
  /** The folder the fixture app was copied to (another `serve` may be started on it). */
  appsDir: string;
  call(
    path: string,
    body?: unknown,
  ): Promise<{ status: number; headers: Record<string, unknown>; body: any }>;
  close(): Promise<void>;
}

export async function startOutageStage(fixture: string, env: Record<string, string>): Promise<OutageStage> {
  const appsDir = mkdtempSync(join(tmpdir(), "comind-outage-apps-"));
  const cluster = await startThrowawayCluster();
  const store = await openStore({ dataDir: "", databaseUrl: cluster.url });
  const token = await createToken(store, { id: "alice" });
  await store.close();
  cpSync(join(FIXTURE_APPS, fixture), join(appsDir, fixture), { recursive: true });
  const serve = await startServeChild(
    ["--apps", appsDir, "--workers", "0", "--database-url", cluster.url],
    env,
  );
  return {
    cluster,
    serve,
    appsDir,
    async call(path, body) {
      const res = await request(`${serve.url}${path}`, {
        method: body === undefined ? "GET" : "POST",
        headers: { authorization: `CMW_AUTH_CODE ${token}`, "content-type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
        headersTimeout: 60_000,
      });
      return { status: res.statusCode, headers: res.headers, body: (await res.body.json()) as any };
    },
    async close() {
      await serve.stop();
      await cluster.remove();
      rmSync(appsDir, { recursive: true, force: true });
    },
  };
}
