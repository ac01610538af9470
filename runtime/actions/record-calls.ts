/**
 * The host side of ComindServer's record calls in their documented forms: rlx queries by
 * `wksApp` (with the per-action query cache), create / update / delete with `runAsUser`, bulk
 * create and delete, lookups, access passes, workspace admins and `AppSchema.load()`.
 * Every write goes through the action's unit of work (one transaction).
 */
import type { JsonRecord, RlxQuery, UserInfo } from "../../globals/bridge-contract.ts";
import { accessPassTtl, checkAccess, createAccessPass, resolveUser, userForRunAs } from "../access/index.ts";
import { RuntimeError } from "../errors.ts";
import { parseRlx } from "../rlx/index.ts";
import type { HostFunctions } from "../sandbox/index.ts";
import { assertFieldName } from "../store/index.ts";
import type { LoadedApp } from "./app-loader.ts";
import { findLookupOption } from "./lookup-query.ts";
import { lookupField } from "./lookups.ts";
import { MAX_QUERY_LIMIT, queryWithPending } from "./pending-query.ts";
import type { UnitOfWork } from "./unit-of-work.ts";
import { appOfWksApp } from "./wks-app.ts";

export interface RecordCallsContext {
  uow: UnitOfWork;
  app: LoadedApp;
  user: UserInfo;
  /**
   * Answers of `*Cached` queries, keyed by the effective user and the query; lives as long as the
   * whole action (nested transitions, which may run as another user, share it).
   */
  queryCache: Map<string, JsonRecord[]>;
  /** Fires a transition on another record, as `runAs` when given (actions/logic-run.ts). */
  fireTransition(
    arg: { id: string; transition: string; values: JsonRecord },
    runAs: UserInfo | null,
  ): Promise<JsonRecord>;
}

const MAX_BULK = 10_000;

function project(record: JsonRecord, fields: string[] | undefined): JsonRecord {
  if (!fields?.length) return record;
  const picked: JsonRecord = { id: record.id };
  for (const field of fields) if (field in record) picked[field] = record[field];
  return picked;
}

/** The record calls whose documented forms need the action's user and app (host-table.ts). */
export function createRecordCalls(ctx: RecordCallsContext) {
  const { uow, app } = ctx;
  const appOf = (wksApp: unknown) => appOfWksApp(wksApp, uow.workspace, uow.defaultApp);

  /** runAsUser: the named user must hold `permission` on the target app (the one access check). */
  async function runAs(idOrEmail: string | undefined, target: string, permission: "read" | "write" | "run") {
    if (!idOrEmail) return null;
    const user = await userForRunAs(uow.store, uow.workspace, idOrEmail);
    await checkAccess(uow.store, { user, workspace: uow.workspace, app: target, permission });
    return user;
  }

  async function find(query: RlxQuery): Promise<JsonRecord[]> {
    const target = appOf(query.wksApp);
    uow.schema(target);
    const fields = query.fields?.map((field) => assertFieldName(String(field)));
    // Keyed by the effective user too: nested runs (runAsUser) share the cache, and `{current-user}`
    // in the filter (and what a user may see) makes the answer one user's.
    const key = query.cached
      ? JSON.stringify([ctx.user.id, target, query.relex, fields, query.sortBy, query.limit, query.skip])
      : "";
    const hit = query.cached ? ctx.queryCache.get(key) : undefined;
    if (hit) return hit;
    const rlx = parseRlx(query.relex ?? "", { currentUser: ctx.user.id });
    const records = await queryWithPending(uow, {
      appAlias: target,
      rlx,
      sortBy: query.sortBy,
      // Comind apps expect every matching record: up to the cap unless limitRecords says fewer.
      limit: query.limit ?? MAX_QUERY_LIMIT,
      skip: query.skip,
    });
    const result = records.map((record) => project(uow.entityOf(record), fields));
    if (query.cached) ctx.queryCache.set(key, result);
    return result;
  }

  return {
    "records.find": find,
    "records.create": async ({ values, appAlias, runAsUser }) => {
      const target = appOf(appAlias);
      await runAs(runAsUser, target, "write");
      return uow.create({ values, appAlias: target });
    },
    // The transition is authorized by the one rule (authorize-run.ts) as this logic's, or as the
    // runAsUser's with that user's own grants.
    "records.update": async ({ id, transition, values, runAsUser }) =>
      ctx.fireTransition(
        { id, transition, values },
        runAsUser ? await userForRunAs(uow.store, uow.workspace, runAsUser) : null,
      ),
    "records.delete": async ({ id, runAsUser }) => {
      const target = await uow.load(id);
      if (target) await runAs(runAsUser, target.app, "write");
      return uow.delete({ id });
    },
    "records.bulkCreate": async ({ wksApp, dataList }) => {
      if (dataList.length > MAX_BULK)
        throw new RuntimeError(
          "limit_exceeded",
          `bulkCreateAppRecords takes at most ${MAX_BULK} records per call.`,
        );
      const target = appOf(wksApp);
      const created = [];
      for (const values of dataList) created.push(await uow.create({ values, appAlias: target }));
      return created;
    },
    "records.bulkDelete": async ({ ids }) => {
      if (ids.length > MAX_BULK)
        throw new RuntimeError(
          "limit_exceeded",
          `bulkDeleteAppRecords takes at most ${MAX_BULK} ids per call.`,
        );
      let deleted = 0;
      for (const id of ids) if ((await uow.delete({ id: String(id) })).deleted) deleted++;
      return { deleted };
    },
    "records.lookup": async ({ field, value, caption }) =>
      findLookupOption(uow, lookupField(app.manifest.fields, field, app.alias), appOf, { value, caption }),
    "records.accessPass": async ({ id, ttlSeconds }) => {
      accessPassTtl(ttlSeconds);
      const record = await uow.load(id);
      if (!record)
        throw new RuntimeError(
          "not_found",
          `Record ${id.slice(0, 100)} does not exist (a new record gets a pass once it is saved).`,
        );
      if (!record.stored)
        throw new RuntimeError(
          "bad_request",
          "getAccessPass: the record is not saved yet; ask for a pass after it is.",
        );
      return createAccessPass(uow.store, {
        workspace: uow.workspace,
        app: record.app,
        recordId: id,
        issuedBy: ctx.user.id,
        ttlSeconds,
      });
    },
    "users.workspaceAdmins": async () => {
      const admins = await uow.store.directory.workspaceAdmins(uow.workspace);
      return Promise.all(admins.map((admin) => resolveUser(uow.store, uow.workspace, { id: admin.id })));
    },
    "app.schema": () => ({
      alias: app.alias,
      workspace: uow.workspace,
      fields: app.manifest.fields as unknown as JsonRecord[],
      actions: app.manifest.actions as unknown as JsonRecord[],
    }),
  } satisfies Partial<HostFunctions>;
}
