/** A REST API server over a fresh runtime and store, driven with fastify's inject(). */
import type { FastifyInstance } from "fastify";
import { createToken } from "../../runtime/server/auth.ts";
import { createServer, type ServerOptions } from "../../runtime/server/index.ts";
import { startRuntime, type TestRuntime } from "./runtime.ts";
import type { RuntimeOptions } from "../../runtime/runs/index.ts";

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
