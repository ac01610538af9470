/**
 * POST /api/tickets/multi: a batch of record actions (add / edit / delete / <action uid>). Each
 * item applies its field values, checks the precondition, runs the action's logic and commits or
 * rolls back on its own; the answer lists every item's outcome in order.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { readableFile } from "../../access/index.ts";
import { type ActionResult, COMMITTED } from "../../actions/index.ts";
import type { UserInfo } from "../../../globals/bridge-contract.ts";
import { appAliasKey } from "../../app-alias.ts";
import type { Answer, ItemKey } from "../../runs/index.ts";
import type { StoredRecord } from "../../store/index.ts";
import { ERROR_CODES, isRuntimeError, isUnavailable, RuntimeError } from "../../errors.ts";
import { appByAlias, appByAliasFor, checkWorkspace, remainingMs, type ServerContext } from "../context.ts";
import { expectedRevisionOf } from "../expected-revision.ts";
import { idempotencyOf, markReplay } from "../idempotency.ts";
import { commitTracker, RETRY_AFTER_SECONDS, type RequestCommits } from "../request-guard.ts";
import { batchUnavailable } from "../unavailable.ts";
import { currentFormOf } from "../legacy-items.ts";
import { flowFileId } from "../flow-chunks.ts";
import {
  errorWarning,
  everyItemFailed,
  normalizeAttachmentUids,
  warningsOf,
  withRecordId,
  withTransition,
} from "../multi-compat.ts";
import { multiAnswer } from "./response-schemas.ts";
import { multiBody, multiQuery } from "./schemas.ts";
import { viewsOf } from "../record-view.ts";

export type MultiItem = Record<string, unknown> & {
  transition: string;
  id?: string;
  /** A mass action: the action runs once on all these records (`records` in the logic). */
  ids?: string[];
  app_alias?: string;
  workspace_alias?: string;
};

const META = new Set([
  "async",
  "transition",
  "id",
  "ids",
  "app_alias",
  "workspace_alias",
  "publishing_alias",
  "project_alias",
]);

function valuesOf(item: MultiItem): Record<string, unknown> {
  return Object.fromEntries(Object.entries(item).filter(([key]) => !META.has(key)));
}

/**
 * Attachments must point at files that exist and that the caller may read (files follow their
 * record, runtime/access `readableFile`): attaching a uid one cannot read to a record of one's own
 * app would otherwise make it readable. Unreadable and missing files get the same answer.
 */
async function checkAttachments(
  ctx: ServerContext,
  user: FastifyRequest["user"],
  values: Record<string, unknown>,
): Promise<void> {
  for (const key of ["attachments", "attachments__list"]) {
    const list = values[key];
    if (!Array.isArray(list)) continue;
    normalizeAttachmentUids(list);
    for (const item of list) {
      const entry = item as { file_uid?: unknown } | null;
      const uid = entry?.file_uid;
      if (
        typeof uid !== "string" ||
        (await readableFile(ctx.files, { user, workspace: ctx.workspace, fileId: uid }))
      )
        continue;
      // A flow.js upload's identifier names the file its uploader stored (routes/flow-upload.ts).
      const uploaded = flowFileId(user.id, uid);
      if (entry && (await readableFile(ctx.files, { user, workspace: ctx.workspace, fileId: uploaded })))
        entry.file_uid = uploaded;
      else
        throw new RuntimeError(
          "validation_error",
          `Attachment file_uid "${uid.slice(0, 64)}" does not exist; upload the file first (POST /api/upload-tus or /api/upload).`,
        );
    }
    if (key === "attachments__list") {
      values.attachments = list;
      delete values.attachments__list;
    }
  }
}

/** The item's app, and its record (read here to find the app; the run takes it from here). */
async function resolveApp(
  ctx: ServerContext,
  item: MultiItem,
  user: UserInfo,
): Promise<{ app: string; stored?: StoredRecord }> {
  if (item.workspace_alias) checkWorkspace(ctx, String(item.workspace_alias));
  if (item.transition === "add") {
    if (!item.app_alias)
      throw new RuntimeError("bad_request", 'An "add" item needs "app_alias" (e.g. "CONTACT").');
    return { app: (await appByAliasFor(ctx, String(item.app_alias), user)).alias };
  }
  const id = item.ids ? item.ids[0] : item.id;
  if (!id)
    throw new RuntimeError("bad_request", `A "${item.transition}" item needs the record "id" (or "ids").`);
  const stored = await ctx.records.getRecord(ctx.workspace, String(id));
  if (!stored)
    throw new RuntimeError(
      "not_found",
      `Record ${String(id).slice(0, 100)} does not exist in workspace ${ctx.workspace}.`,
    );
  if (item.app_alias && appAliasKey(String(item.app_alias)) !== stored.app)
    throw new RuntimeError(
      "bad_request",
      `Record ${String(item.id).slice(0, 100)} is a record of app ${stored.app}, not ${String(item.app_alias).slice(0, 40)}; fix "app_alias" or the "id".`,
    );
  return { app: appByAlias(ctx, stored.app).alias, stored };
}

/** One tickets/multi item, run and committed on its own; shared with the MCP tools. */
export async function runItem(
  ctx: ServerContext,
  request: Pick<FastifyRequest, "user" | "caller" | "deadline"> & { commits?: RequestCommits },
  item: MultiItem,
  commitKey?: string,
) {
  try {
    // The schema lets items without a transition, and legacy forms, through.
    item = withTransition(currentFormOf(ctx, item));
    const { app, stored: loaded } = await resolveApp(ctx, item, request.user);
    const expectedRevision = item.transition === "add" || item.ids ? undefined : expectedRevisionOf(item);
    const values = valuesOf(item);
    await checkAttachments(ctx, request.user, values);
    if (item.async === true) {
      if (item.ids)
        throw new RuntimeError("bad_request", 'An "async" item runs one action: send "id", not "ids".');
      const { runId } = await ctx.runtime.enqueue({
        app,
        action: item.transition,
        recordId: item.transition === "add" ? undefined : String(item.id),
        values,
        caller: { kind: "user", user: request.caller },
        source: "async",
      });
      return { successful: true, queued: true, runId };
    }
    // A delete answers the record's number too; it is gone after the run.
    const deletedNumber = item.transition === "delete" ? (loaded?.number ?? null) : null;
    const result: ActionResult = await ctx.runtime.run({
      app,
      action: item.transition,
      recordId: item.transition === "add" || item.ids ? undefined : String(item.id),
      recordIds: item.ids,
      loaded: item.ids ? undefined : loaded,
      values,
      caller: { kind: "user", user: request.user },
      source: "rest",
      wallMs: remainingMs(request.deadline),
      expectedRevision,
      commitKey,
      onCommit: request.commits && commitTracker(request.commits),
    });
    if (!result.ok)
      return {
        successful: false,
        data: result.recordId ? { id: result.recordId } : null,
        warnings: [...warningsOf(result.logs), errorWarning(result.error.message)],
        error: { ...result.error, logs: result.logs },
        runId: result.runId,
      };
    const ids = result.recordIds ?? [result.recordId];
    const outcome =
      item.transition === "add"
        ? { created: true }
        : item.transition === "delete"
          ? { deleted: true }
          : { updated: true };
    const committedAs = { successful: true, ...outcome, ...(result.replayed ? { replayed: true } : {}) };
    // Committed from here on: a failure while building the answer (the database gone just after
    // the commit, while the allowed transitions are read) must not answer "nothing was written".
    let views: unknown[];
    let warnings = warningsOf(result.logs);
    try {
      views = await committedViews(ctx, request.user, item, result, ids, deletedNumber);
    } catch (error) {
      if (!isRuntimeError(error)) throw error;
      views = ids.map((id) => ({ id }));
      warnings = [
        ...warnings,
        errorWarning(
          `The change was saved, but the record could not be read back for this answer (${error.code}); read it again later.`,
        ),
      ];
    }
    return { ...committedAs, data: item.ids ? views : views[0], warnings, logs: result.logs };
  } catch (error) {
    if (!isRuntimeError(error)) throw error;
    return {
      successful: false,
      data: item.id ? { id: item.id } : null,
      warnings: [errorWarning(error.message)],
      error: { code: error.code, message: error.message, stack: `Error: ${error.message}`, logs: [] },
      ...(error.retryAfterSeconds ? { retryAfterSeconds: error.retryAfterSeconds } : {}),
    };
  }
}

/** The views of what a successful run committed (a delete: its id and number). */
async function committedViews(
  ctx: ServerContext,
  user: FastifyRequest["user"],
  item: MultiItem,
  result: Extract<ActionResult, { ok: true }>,
  ids: string[],
  deletedNumber: number | null,
) {
  const stored = [];
  // As this run committed them; only a record it left unchanged (or a replay's) is read again.
  const committed = new Map(result[COMMITTED]?.map((record) => [record.id, record]));
  if (item.transition !== "delete")
    for (const id of ids) {
      const record = committed.get(id) ?? (await ctx.records.getRecord(ctx.workspace, id));
      if (record) stored.push(record);
    }
  return stored.length
    ? await viewsOf(ctx, stored, user)
    : ids.map((id) => ({ id, number: item.ids ? null : deletedNumber }));
}

/** The batch's items in order, each committed under its item key; stops at an unavailable store or a quota. */
async function runBatch(
  ctx: ServerContext,
  request: FastifyRequest<{ Body: MultiItem[] }>,
  reply: FastifyReply,
  itemKey: ItemKey,
): Promise<Answer> {
  const results = [];
  for (const [index, item] of request.body.entries()) {
    const { runId, ...answer } = await runItem(ctx, request, item, itemKey(index));
    const { retryAfterSeconds, ...result } = { retryAfterSeconds: undefined, ...answer };
    // An async item's answer is its run id; a run's own id stays internal otherwise.
    results.push(withRecordId("queued" in result ? { ...result, runId } : result));
    if (!result.successful && result.error && isUnavailable(result.error.code)) {
      reply.header("retry-after", String(retryAfterSeconds ?? RETRY_AFTER_SECONDS));
      return batchUnavailable(result.error, runId, results, ERROR_CODES[result.error.code].status);
    }
    // An async item over an enqueue quota stops the batch with 429: the client waits, then
    // sends the items from this one on (those before it are listed as they ended).
    if (!result.successful && result.error?.code === "rate_limited" && retryAfterSeconds) {
      reply.header("retry-after", String(retryAfterSeconds));
      return batchUnavailable(result.error, runId, results, 429);
    }
  }
  return everyItemFailed(results) ?? { status: 200, body: results };
}

export function registerMultiRoute(server: FastifyInstance, ctx: ServerContext): void {
  server.post<{ Body: MultiItem[] }>(
    "/api/tickets/multi",
    {
      schema: { body: multiBody, querystring: multiQuery, tags: ["records"], response: { 200: multiAnswer } },
      config: { access: "signed-in", runsActions: true },
    },
    async (request, reply) => {
      // The run use-case answers a retry with the same Idempotency-Key from the stored answer.
      const answer = await ctx.runtime.answerOnce(
        { kind: "user", user: request.user },
        idempotencyOf(request),
        (itemKey) => runBatch(ctx, request, reply, itemKey),
      );
      markReplay(reply, answer.storedAnswer);
      return reply.code(answer.status).send(answer.body);
    },
  );
}
