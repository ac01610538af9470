/**
 * Runs: a live list filtered by app, action, outcome, user and time; one run with its logs, HTTP
 * calls, field diff, CPU and heap, and for a failure its code, message and TypeScript stack.
 * Admins can re-run an action (on the same record, or as a new record when a failed run's record
 * was never created: rerun.ts) and see the new run's result.
 */
import { runListActor } from "../../access/index.ts";
import { join } from "node:path";
import { Eta } from "eta";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { RuntimeError } from "../../errors.ts";
import type { ActionRunLog, RunQuery } from "../../store/index.ts";
import { remainingMs, type ServerContext } from "../context.ts";
import { cell, durationMs, renderPage, shortTime } from "./render.ts";
import { mayRerun, rerunOf, runRecordOf } from "./rerun.ts";
import { formatMegabytes, formatMs } from "./units.ts";
import { sendRecording } from "../run-recording.ts";
import { canSeeRun, visibleApps } from "./visibility.ts";

const partials = new Eta({ views: join(import.meta.dirname, "views"), autoEscape: true, cache: true });
const PAGE = 100;

interface RunFilter {
  app?: string;
  action?: string;
  outcome?: string;
  user?: string;
  since?: string;
  after?: string;
}

const text = (value: unknown, max = 100) =>
  typeof value === "string" && value.trim() ? value.trim().slice(0, max) : undefined;

/** A datetime-local value ("2026-11-30T10:00") read as UTC. */
function isoFrom(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const parsed = Date.parse(/[zZ]|[+-]\d\d:\d\d$/.test(value) ? value : `${value}Z`);
  return Number.isNaN(parsed) ? undefined : new Date(parsed).toISOString();
}

function runQuery(ctx: ServerContext, request: FastifyRequest, filter: RunFilter): RunQuery {
  return {
    workspace: ctx.workspace,
    app: text(filter.app, 64)?.toUpperCase(),
    action: text(filter.action, 64),
    actor: runListActor(request.user, text(filter.user)),
    failedOnly: filter.outcome === "failed",
    okOnly: filter.outcome === "ok",
    since: isoFrom(text(filter.since, 40)),
    after: isoFrom(text(filter.after, 40)),
    limit: PAGE,
  };
}

const rowOf = (run: ActionRunLog) => ({
  id: run.id,
  started: shortTime(run.startedAt),
  app: run.app,
  action: run.action,
  ok: run.ok,
  errorCode: run.errorCode,
  actor: run.actor,
  duration: formatMs(durationMs(run.startedAt, run.finishedAt)),
});

async function runOrFail(ctx: ServerContext, request: FastifyRequest, id: string): Promise<ActionRunLog> {
  const run = /^[0-9a-f-]{36}$/i.test(id) ? await ctx.runs.getRun(id) : null;
  if (!run || run.workspace !== ctx.workspace || !canSeeRun(request.user, run))
    throw new RuntimeError("not_found", `No run ${id.slice(0, 40)} that you can see.`);
  return run;
}

/**
 * Run an action from the console (a re-run or a record's action button) and open the new run:
 * on the record `target` names, or as a new record with the values it names.
 */
export async function runFromConsole(
  ctx: ServerContext,
  request: FastifyRequest,
  app: string,
  action: string,
  target: { recordId: string } | { values: Record<string, unknown> },
): Promise<string> {
  const result = await ctx.runtime.run({
    app,
    action,
    ...("recordId" in target ? { recordId: target.recordId, values: {} } : { values: target.values }),
    // A user-facing call: the caller's permissions and `visible: false` apply as over REST.
    caller: { kind: "user", user: request.user },
    source: "console",
    wallMs: remainingMs(request.deadline),
  });
  const outcome = result.ok ? "ok" : "failed";
  return `/console/runs/${result.runId}?ran=${outcome}`;
}

export function registerRunPages(scope: FastifyInstance, ctx: ServerContext): void {
  scope.get<{ Querystring: RunFilter }>(
    "/console/runs",
    { config: { access: "console" } },
    async (request, reply) => {
      const filter = request.query ?? {};
      const runs = await ctx.runs.listRuns(runQuery(ctx, request, filter));
      const params = new URLSearchParams(
        Object.entries(filter).filter(
          ([key, value]) => key !== "after" && typeof value === "string" && value,
        ) as [string, string][],
      );
      return renderPage(reply, "runs", {
        title: "Runs",
        section: "runs",
        user: request.user,
        workspace: ctx.workspace,
        apps: (await visibleApps(ctx, request.user)).map((a) => a.alias),
        filter: { ...filter, sinceLocal: text(filter.since, 16) },
        runs: runs.map(rowOf),
        newest: runs[0]?.startedAt ?? "",
        feedUrl: `/console/runs/feed?${params}`,
      });
    },
  );

  scope.get<{ Querystring: RunFilter }>(
    "/console/runs/feed",
    { config: { access: "console" } },
    async (request) => {
      const runs = await ctx.runs.listRuns(runQuery(ctx, request, request.query ?? {}));
      return {
        newest: runs[0]?.startedAt ?? null,
        rows: runs.map((run) => partials.render("./run-row", { r: rowOf(run) })),
      };
    },
  );

  scope.get<{ Params: { id: string }; Querystring: { ran?: string } }>(
    "/console/runs/:id",
    { config: { access: "console" } },
    async (request, reply) => {
      const run = await runOrFail(ctx, request, request.params.id);
      const history = await ctx.history.historyOfRun(ctx.workspace, run.id);
      const changes = history.flatMap((entry) =>
        entry.changes.map((change) => ({
          recordId: entry.recordId,
          app: entry.app,
          revision: entry.revision,
          field: change.field,
          old: cell(change.old),
          new: cell(change.new),
        })),
      );
      const ran = request.query?.ran;
      const record = await runRecordOf(ctx, run);
      const rerun = rerunOf(ctx, run, record);
      return renderPage(reply, "run", {
        title: `Run ${run.action}`,
        section: "runs",
        user: request.user,
        workspace: ctx.workspace,
        notice:
          ran === "ok" || ran === "failed"
            ? {
                kind: ran === "ok" ? "ok" : "error",
                text: `You ran ${run.action}: it ${ran === "ok" ? "succeeded" : "failed"}. This is that run.`,
              }
            : null,
        run,
        changes,
        started: shortTime(run.startedAt),
        duration: formatMs(durationMs(run.startedAt, run.finishedAt)),
        cpu: run.cpuMs == null ? "–" : formatMs(run.cpuMs),
        heap: formatMegabytes(run.heapMb),
        record,
        recording: (await ctx.runs.getRunRecording(run.id)) !== null,
        rerun: (await mayRerun(ctx, request.user, run, rerun))
          ? { asNew: rerun !== null && "values" in rerun }
          : null,
      });
    },
  );

  scope.get<{ Params: { id: string } }>(
    "/console/runs/:id/recording",
    { config: { access: "console" } },
    async (request, reply) => {
      const run = await runOrFail(ctx, request, request.params.id);
      return sendRecording(ctx.runs, run.id, reply);
    },
  );

  scope.post<{ Params: { id: string } }>(
    "/console/runs/:id/rerun",
    { config: { access: "console" } },
    async (request, reply) => {
      if (!request.user.isAdmin) throw new RuntimeError("forbidden", "Only admins may re-run actions.");
      const run = await runOrFail(ctx, request, request.params.id);
      const rerun = rerunOf(ctx, run, await runRecordOf(ctx, run));
      if (!rerun)
        throw new RuntimeError(
          "bad_request",
          `This "${run.action.slice(0, 64)}" run cannot be re-run: its record is gone, or it added or deleted the record. Start the action from the record's page.`,
        );
      return reply.redirect(await runFromConsole(ctx, request, run.app, run.action, rerun), 303);
    },
  );
}
