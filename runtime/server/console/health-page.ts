/** Health (admins): sandbox workers, warm isolates with heap and CPU per app, crashes; refreshed live. */
import type { FastifyInstance } from "fastify";
import { RuntimeError } from "../../errors.ts";
import type { ServerContext } from "../context.ts";
import { runtimeStats } from "../routes/admin.ts";
import { renderPage, shortTime } from "./render.ts";
import { Eta } from "eta";
import { join } from "node:path";

const partials = new Eta({ views: join(import.meta.dirname, "views"), autoEscape: true, cache: true });

async function healthData(ctx: ServerContext) {
  const stats = await runtimeStats(ctx);
  const appOf = (key: string) => key.split(":")[0];
  const isolates = [
    ...stats.inProcessIsolates.map((i) => ({
      app: appOf(i.key),
      where: "server",
      heapMb: i.usedHeapMb,
      cpuMs: i.cpuMs,
      count: i.isolates,
    })),
    ...stats.workers.flatMap((w) =>
      w.apps.map((i) => ({
        app: appOf(i.key),
        where: `worker ${w.pid}`,
        heapMb: i.usedHeapMb,
        cpuMs: i.cpuMs,
        count: i.isolates,
      })),
    ),
  ];
  return { stats, isolates, checked: shortTime(new Date().toISOString()) };
}

export function registerHealthPage(scope: FastifyInstance, ctx: ServerContext): void {
  const adminOnly = (isAdmin?: boolean) => {
    if (!isAdmin) throw new RuntimeError("forbidden", "Only admins may see the runtime's health.");
  };
  scope.get("/console/health", { config: { access: "console" } }, async (request, reply) => {
    adminOnly(request.user.isAdmin);
    return renderPage(reply, "health", {
      title: "Health",
      section: "health",
      user: request.user,
      workspace: ctx.workspace,
      ...(await healthData(ctx)),
    });
  });
  scope.get("/console/health.json", { config: { access: "console" } }, async (request) => {
    adminOnly(request.user.isAdmin);
    return { html: partials.render("./health-body", await healthData(ctx)) };
  });
}
