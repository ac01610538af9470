/**
 * A server over the GUARD app (test/fixtures/apps/app-guard), with a SQLite store, a queue that
 * runs nothing by itself (tests decide when a queued run runs) and the groups and users a test
 * names: the setup of the access suites (test/security/access-table, run-callers).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import { type ActionRuntime, createActionRuntime } from "../../runtime/runs/index.ts";
import { asDeveloper } from "../../runtime/index.ts";
import { openQueue, type Queue, signWebhook } from "../../runtime/queue/index.ts";
import { createToken } from "../../runtime/server/auth.ts";
import { createServer } from "../../runtime/server/index.ts";
import { createPrometheusMetrics } from "../../runtime/metrics/index.ts";
import { openStore, type Permission, type Store } from "../../runtime/store/index.ts";
import { FIXTURE_APPS } from "./runtime.ts";

export const GUARD_HOOK_SECRET = "guard-hook-secret";

type InjectReply = Awaited<ReturnType<FastifyInstance["inject"]>>;

export interface GuardServer {
  store: Store;
  runtime: ActionRuntime;
  queue: Queue;
  server: FastifyInstance;
  dataDir: string;
  /** `CMW_AUTH_CODE` tokens by user id. */
  tokens: Record<string, string>;
  /** A new GUARD record, made by the developer outside the API. */
  fresh(values?: Record<string, unknown>): Promise<string>;
  /** A correctly signed delivery to GUARD's webhook (hidden_op), with any extra headers. */
  deliverHook(payload: string, headers?: Record<string, string>): Promise<InjectReply>;
  close(): Promise<void>;
}

export async function startGuardServer(options: {
  /** Group -> the permissions it has on GUARD. */
  grants: Record<string, Permission[]>;
  /** User id -> its groups (`admin: true` for a global admin). */
  users: Record<string, { groups?: string[]; admin?: boolean }>;
  console?: boolean;
}): Promise<GuardServer> {
  const dataDir = mkdtempSync(join(tmpdir(), "comind-guard-"));
  const store = await openStore({ dataDir });
  const metrics = createPrometheusMetrics({ defaultMetrics: false });
  const runtime = await createActionRuntime({
    store,
    metrics,
    secrets: { COMIND_SECRET_GUARD_HOOK: GUARD_HOOK_SECRET },
    // Every run keeps its recording, so the access table can probe who may download one.
    recording: { mode: "all", sensitiveFields: [] },
  });
  await runtime.loadApp(join(FIXTURE_APPS, "app-guard"));
  const queue = await openQueue(store, { concurrency: 1, pollMs: 50 });
  runtime.useQueue(queue);
  const server = await createServer({
    runtime,
    store,
    workspace: "DEMO",
    dataDir,
    queue,
    console: options.console,
    metrics: { registry: metrics },
  });
  for (const [group, permissions] of Object.entries(options.grants)) {
    await store.directory.saveGroup(group);
    for (const permission of permissions)
      await store.directory.grant({ workspace: "DEMO", app: "GUARD", group, permission });
  }
  const tokens: Record<string, string> = {};
  for (const [id, user] of Object.entries(options.users)) {
    tokens[id] = await createToken(store, { id, name: id, isAdmin: Boolean(user.admin) });
    for (const group of user.groups ?? []) await store.directory.addGroupMember(group, id);
  }
  return {
    store,
    runtime,
    queue,
    server,
    dataDir,
    tokens,
    async fresh(values = {}) {
      const result = await runtime.run({
        app: "GUARD",
        action: "add",
        values: { c_text: "guardword", ...values },
        caller: asDeveloper(),
      });
      if (!result.ok) throw new Error(result.error.message);
      return result.recordId;
    },
    deliverHook(payload, headers = {}) {
      const path = "/api/hooks/DEMO/GUARD/hidden_op";
      const timestamp = Math.floor(Date.now() / 1000);
      return server.inject({
        method: "POST",
        url: path,
        payload,
        headers: {
          ...headers,
          "content-type": "application/json",
          "x-comind-timestamp": String(timestamp),
          "x-comind-signature": signWebhook(GUARD_HOOK_SECRET, {
            timestamp,
            method: "POST",
            path,
            body: payload,
          }),
        },
      });
    },
    async close() {
      await server.close();
      await queue.close();
      await runtime.close();
      await store.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
