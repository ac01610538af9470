/** A REST API server over a fresh runtime and store (or a queue node's), driven with fastify's inject(). */
import type { FastifyInstance } from "fastify";
import type { Queue } from "../../runtime/queue/index.ts";
import { createToken } from "../../runtime/server/auth.ts";
import { createServer, type ServerOptions } from "../../runtime/server/index.ts";
import type { Store } from "../../runtime/store/index.ts";
import { startRuntime, type TestRuntime } from "./runtime.ts";
import type { ActionRuntime, RuntimeOptions } from "../../runtime/runs/index.ts";

type InjectResult = Awaited<ReturnType<FastifyInstance["inject"]>>;

export interface TestServerApi extends TestRuntime {
  server: FastifyInstance;
  token: string;
  auth: { authorization: string };
  post(url: string, payload: unknown, headers?: Record<string, string>): Promise<InjectResult>;
  get(url: string, headers?: Record<string, string>): Promise<InjectResult>;
}

export async function startApi(
  appDirs: string[],
  options: { runtime?: Partial<RuntimeOptions>; server?: Partial<ServerOptions> } = {},
): Promise<TestServerApi> {
  const t = await startRuntime(options.runtime);
  for (const dir of appDirs) await t.runtime.loadApp(dir);
  const server = await createServer({
    runtime: t.runtime,
    store: t.store,
    workspace: "DEMO",
    dataDir: t.dataDir,
    ...options.server,
  });
  const token = await createToken(t.store, { id: "alice", name: "Alice", isAdmin: false });
  const auth = { authorization: `CMW_AUTH_CODE ${token}` };
  return {
    ...t,
    server,
    token,
    auth,
    post: async (url, payload, headers = auth) =>
      server.inject({ method: "POST", url, payload: payload as object, headers }),
    get: async (url, headers = auth) => server.inject({ method: "GET", url, headers }),
    close: async () => {
      await server.close();
      await t.close();
    },
  };
}

/** The `authorization` header of a new API token for `user` (a user the store does not know is added). */
export async function authAs(
  store: Store,
  user: { id: string; name?: string; isAdmin?: boolean },
): Promise<{ authorization: string }> {
  return { authorization: `CMW_AUTH_CODE ${await createToken(store, user)}` };
}

/** The REST API over a queue node (test/queue/harness.ts): async triggers, GET /api/runs, webhooks. */
export function startQueueApi(node: {
  runtime: ActionRuntime;
  store: Store;
  queue: Queue;
}): Promise<FastifyInstance> {
  return createServer({
    runtime: node.runtime,
    store: node.store,
    workspace: "DEMO",
    dataDir: "",
    queue: node.queue,
  });
}
