/**
 * apps/app-awork-tasks (AWTASK) end to end: push_to_awork (POST, then PUT) and pull_tasks
 * (page/pageSize until an empty page) against the seed-004 awork mock.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { asDeveloper } from "../../runtime/index.ts";
import { join } from "node:path";
import { startMockAwork, type MockAwork } from "../fixtures/mock-awork.ts";
import { EXAMPLE_APPS, startRuntime, type TestRuntime } from "../helpers/runtime.ts";

const APP_DIR = join(EXAMPLE_APPS, "app-awork-tasks");
const TYPE_OF_WORK = "6f1d2c3b-4a5e-4f60-8a71-92b3c4d5e6f7"; // vars.typeOfWorkId of the app

async function runtimeFor(awork: MockAwork, apiKey = awork.apiKey): Promise<TestRuntime> {
  const t = await startRuntime({
    allowHosts: ["127.0.0.1"],
    secrets: { COMIND_SECRET_AWORK_API_KEY: apiKey, COMIND_SECRET_AWORK_BASE_URL: awork.url },
  });
  await t.runtime.loadApp(APP_DIR);
  return t;
}

const linkedTasks = (t: TestRuntime, where: Record<string, unknown> = {}) =>
  t.store
    .findRecords({ workspace: "DEMO", app: "AWTASK", where, limit: 1000 })
    .then((rows) => rows.filter((r) => r.fields.c_awork_id !== null));

describe("AWTASK push_to_awork and pull_tasks", () => {
  let awork: MockAwork;
  let t: TestRuntime;
  let taskRecordId: string;
  let aworkId: string;

  beforeAll(async () => {
    awork = await startMockAwork({ taskCount: 120 });
    t = await runtimeFor(awork);
  });
  afterAll(async () => {
    await t?.close();
    await awork?.close();
  });

  it("creates the task in awork with the API key as Bearer token and keeps the returned id", async () => {
    const result = await t.runtime.run({
      caller: asDeveloper(),
      app: "AWTASK",
      action: "push_to_awork",
      values: {
        title: "Prepare Q3 board deck",
        description: "Numbers from finance, roadmap slide",
        c_awork_project_id: awork.projectId,
        c_due_on: "2024-07-01T00:00:00Z",
        c_is_prio: true,
        c_planned_minutes: 90,
      },
    });
    expect(result.ok, JSON.stringify(!result.ok && result.error)).toBe(true);
    if (!result.ok) return;
    taskRecordId = result.recordId;

    const [post] = awork.requests;
    expect(post).toMatchObject({ method: "POST", path: "/api/v1/tasks", status: 200 });
    expect(post.headers.authorization).toBe(`Bearer ${awork.apiKey}`);
    expect(post.headers["content-type"]).toMatch(/^application\/json/);
    expect(post.body).toEqual({
      name: "Prepare Q3 board deck",
      description: "Numbers from finance, roadmap slide",
      isPrio: true,
      dueOn: "2024-07-01T00:00:00Z",
      plannedDuration: 5400,
      baseType: "projecttask",
      entityId: awork.projectId,
      typeOfWorkId: TYPE_OF_WORK,
    });

    const created = awork.tasks.at(-1)!;
    aworkId = created.id;
    expect(awork.tasks).toHaveLength(121);
    expect(result.entity).toMatchObject({
      c_awork_id: created.id,
      c_awork_status: "To do",
      c_awork_updated_on: created.updatedOn,
    });
    const stored = await t.store.getRecord("DEMO", taskRecordId);
    expect(stored!.fields.c_awork_id).toBe(created.id);
  });

  it("updates the same awork task with PUT on the next push", async () => {
    const before = awork.requests.length;
    const result = await t.runtime.run({
      caller: asDeveloper(),
      app: "AWTASK",
      action: "push_to_awork",
      recordId: taskRecordId,
      values: { title: "Prepare Q3 board deck (v2)", c_planned_minutes: 120 },
    });
    expect(result.ok, JSON.stringify(!result.ok && result.error)).toBe(true);
    if (!result.ok) return;

    const [put] = awork.requests.slice(before);
    expect(put).toMatchObject({ method: "PUT", path: `/api/v1/tasks/${aworkId}`, status: 200 });
    expect(put.body).toMatchObject({ name: "Prepare Q3 board deck (v2)", plannedDuration: 7200 });
    expect(awork.tasks).toHaveLength(121);
    expect(awork.tasks.find((task) => task.id === aworkId)!.name).toBe("Prepare Q3 board deck (v2)");
    expect(result.entity.c_awork_id).toBe(aworkId);

    const history = await t.store.history("DEMO", taskRecordId);
    expect(history.map((h) => h.transition)).toEqual(["push_to_awork", "push_to_awork"]);
    expect(history[1].changes).toEqual(
      expect.arrayContaining([
        { field: "title", old: "Prepare Q3 board deck", new: "Prepare Q3 board deck (v2)" },
        { field: "c_planned_minutes", old: 90, new: 120 },
      ]),
    );
  });

  it("pulls every page until an empty one and merges the pushed task instead of duplicating it", async () => {
    const before = awork.requests.length;
    const result = await t.runtime.run({
      caller: asDeveloper(),
      app: "AWTASK",
      action: "pull_tasks",
      values: { title: "awork sync" },
    });
    expect(result.ok, JSON.stringify(!result.ok && result.error)).toBe(true);
    if (!result.ok) return;

    const pages = awork.requests.slice(before);
    expect(
      pages.map((r) => [r.method, r.path, r.query.get("page"), r.query.get("pageSize"), r.status]),
    ).toEqual([
      ["GET", "/api/v1/tasks", "1", "50", 200],
      ["GET", "/api/v1/tasks", "2", "50", 200],
      ["GET", "/api/v1/tasks", "3", "50", 200],
      ["GET", "/api/v1/tasks", "4", "50", 200],
    ]);
    for (const request of pages) expect(request.headers.authorization).toBe(`Bearer ${awork.apiKey}`);
    expect(result.entity.c_last_sync_status).toBe("Pulled 121 tasks: 120 created, 1 updated (4 pages)");

    const records = await linkedTasks(t);
    expect(records).toHaveLength(121);
    expect(new Set(records.map((r) => r.fields.c_awork_id)).size).toBe(121);
    const [pushed] = await linkedTasks(t, { c_awork_id: aworkId });
    expect(pushed.id).toBe(taskRecordId);

    const source = awork.tasks[2];
    const [third] = await linkedTasks(t, { c_awork_id: source.id });
    expect(third.fields).toMatchObject({
      title: "Task 3",
      description: "Details of task 3",
      c_awork_project_id: awork.projectId,
      c_due_on: source.dueOn,
      c_is_prio: false,
      c_planned_minutes: 45,
      c_awork_status: "In progress",
      c_awork_updated_on: source.updatedOn,
    });
    const [first] = await linkedTasks(t, { c_awork_id: awork.tasks[0].id });
    expect(first.fields).toMatchObject({
      title: "Task 1",
      c_is_prio: true,
      c_due_on: null,
      c_planned_minutes: 15,
    });
  });

  it("a second pull updates changed tasks and leaves the rest alone", async () => {
    const changed = awork.tasks[10];
    changed.name = "Task 11 (renamed in awork)";
    changed.updatedOn = "2024-06-15T10:00:00Z";
    const result = await t.runtime.run({
      caller: asDeveloper(),
      app: "AWTASK",
      action: "pull_tasks",
      values: { title: "awork sync 2" },
    });
    expect(result.ok && result.entity.c_last_sync_status).toBe(
      "Pulled 121 tasks: 0 created, 121 updated (4 pages)",
    );
    expect(await linkedTasks(t)).toHaveLength(121);

    const [renamed] = await linkedTasks(t, { c_awork_id: changed.id });
    expect(renamed.fields.title).toBe("Task 11 (renamed in awork)");
    const history = await t.store.history("DEMO", renamed.id);
    expect(history).toHaveLength(2);
    expect(history[1].changes).toEqual([
      { field: "title", old: "Task 11", new: "Task 11 (renamed in awork)" },
      { field: "c_awork_updated_on", old: "2024-04-01T00:10:00Z", new: "2024-06-15T10:00:00Z" },
    ]);
    const [untouched] = await linkedTasks(t, { c_awork_id: awork.tasks[11].id });
    expect(await t.store.history("DEMO", untouched.id)).toHaveLength(1);
  });

  it("fails clearly when the linked task was deleted in awork, and changes nothing", async () => {
    awork.tasks.splice(
      awork.tasks.findIndex((task) => task.id === aworkId),
      1,
    );
    const before = await t.store.getRecord("DEMO", taskRecordId);
    const result = await t.runtime.run({
      caller: asDeveloper(),
      app: "AWTASK",
      action: "push_to_awork",
      recordId: taskRecordId,
      values: { title: "Prepare Q3 board deck (v3)" },
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.message).toBe(
      `awork task ${aworkId} no longer exists (deleted in awork?). Clear "awork task id" on this record to create it again.`,
    );
    expect(await t.store.getRecord("DEMO", taskRecordId)).toEqual(before);
  });

  it("refuses to push a task without a project before calling awork", async () => {
    const before = awork.requests.length;
    const result = await t.runtime.run({
      caller: asDeveloper(),
      app: "AWTASK",
      action: "push_to_awork",
      values: { title: "No project" },
    });
    expect(!result.ok && result.error.message).toBe(
      "Set the awork project id on the task (or vars.defaultProjectId in settings/index.ts) before pushing it.",
    );
    expect(awork.requests.length).toBe(before);
    expect(await t.store.getRecord("DEMO", result.recordId!)).toBeNull();
  });

  it("reports awork's validation errors", async () => {
    const result = await t.runtime.run({
      caller: asDeveloper(),
      app: "AWTASK",
      action: "push_to_awork",
      values: { title: "Bad project", c_awork_project_id: "not-a-guid" },
    });
    expect(!result.ok && result.error.message).toBe(
      "awork POST /api/v1/tasks failed with HTTP 400 (validation-failed: The request is invalid.; 'EntityId' must be a valid id.)",
    );
  });
});

describe("AWTASK with a revoked API key", () => {
  let awork: MockAwork;
  let t: TestRuntime;

  beforeAll(async () => {
    awork = await startMockAwork({ taskCount: 3 });
    t = await runtimeFor(awork, "revoked-awork-key");
  });
  afterAll(async () => {
    await t?.close();
    await awork?.close();
  });

  it("fails push and pull with a message naming the secret and stores nothing", async () => {
    const push = await t.runtime.run({
      caller: asDeveloper(),
      app: "AWTASK",
      action: "push_to_awork",
      values: { title: "x", c_awork_project_id: awork.projectId },
    });
    expect(!push.ok && push.error.message).toBe(
      "awork rejected the API key on POST /api/v1/tasks (HTTP 401, unauthorized: The access token is missing, invalid or expired.). Check COMIND_SECRET_AWORK_API_KEY.",
    );
    const pull = await t.runtime.run({ caller: asDeveloper(), app: "AWTASK", action: "pull_tasks" });
    expect(!pull.ok && pull.error.message).toMatch(
      /^awork rejected the API key on GET \/api\/v1\/tasks\?page=1 \(HTTP 401/,
    );
    expect(JSON.stringify([push, pull])).not.toContain("revoked-awork-key");
    expect(awork.tasks).toHaveLength(3);
    expect(await t.store.findRecords({ workspace: "DEMO", app: "AWTASK" })).toHaveLength(0);
  });
});
