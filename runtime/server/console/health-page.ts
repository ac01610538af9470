/** Health (admins): sandbox workers, warm isolates with heap and CPU per app, crashes, limits; refreshed live. */
import type { FastifyInstance } from "fastify";
import { RuntimeError } from "../../errors.ts";
import type { ServerContext } from "../context.ts";
import { runtimeStats } from "../routes/admin.ts";
import { renderPage, shortTime } from "./render.ts";
import { formatMegabytes, formatMs, limitRows } from "./units.ts";
import { Eta } from "eta";
import { join } from "node:path";

const partials = new Eta({ views: join(import.meta.dirname, "views"), autoEscape: true, cache: true });

/** The stats with every figure in its unit (MB, ms) as the page shows it. */
async function healthData(ctx: ServerContext) {
  const stats = await runtimeStats(ctx);
  const appOf = (key: string) => key.split(":")[0];
  const isolate = (where: string) => (i: { key: string; usedHeapMb: number; cpuMs: number }) => ({
    app: appOf(i.key),
    where,
    heap: formatMegabytes(i.usedHeapMb),
    cpu: formatMs(i.cpuMs),
  });
  return {
    stats,
    workers: stats.workers.map((w) => ({
      pid: w.pid,
      memory: formatMegabytes(w.rssMb),
      running: w.running ?? "",
    })),
    isolates: [
      ...stats.inProcessIsolates.map(isolate("server")),
      ...stats.workers.flatMap((w) => w.apps.map(isolate(`worker ${w.pid}`))),
    ],
    limits: limitRows(stats.limits),
    checked: shortTime(new Date().toISOString()),
  };
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
