/** GET /api/admin/stats (admins only): sandbox workers, their warm isolates' heap and CPU, crashes. */
import type { FastifyInstance } from "fastify";
import type { ServerContext } from "../context.ts";

/** What the runtime reports about itself (the REST endpoint and the console's Health page). */
export async function runtimeStats(ctx: ServerContext) {
  return {
    workspace: ctx.workspace,
    apps: [...ctx.runtime.apps.keys()],
    store: ctx.storeKind,
    ...(await ctx.runtime.sandboxStats()),
    admission: ctx.runtime.admissionStats(),
    limits: ctx.runtime.limits,
  };
}

export function registerAdminRoutes(server: FastifyInstance, ctx: ServerContext): void {
  server.get("/api/admin/stats", { schema: { tags: ["admin"] }, config: { access: "admin" } }, async () =>
    runtimeStats(ctx),
  );
}
