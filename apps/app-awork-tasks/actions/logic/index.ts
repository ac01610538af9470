/**
 * AWTASK · push_to_awork / pull_tasks — keeps tasks in step with awork (seed 004).
 *
 * What it demonstrates:
 * - an API key sent as a Bearer token (RestApi.setOAuth2AuthorizationHeaderAuth), with the API
 *   host defaulting to a var so admins only have to configure the key;
 * - create-or-update: POST /api/v1/tasks on the first push stores the returned id in c_awork_id,
 *   later pushes PUT /api/v1/tasks/{taskId} (RestApi.addUrlSegment) instead of duplicating;
 * - page/pageSize pagination read until an empty page;
 * - ComindServer.importData keyed on c_awork_id, so tasks pushed from here and pulled back
 *   later stay one record.
 */
import { entity } from "#typings";
import { AppSchema, ComindServer, RestApi } from "@comind/api/server";
import type { HttpResponse } from "@comind/api/server";

interface AworkTask {
  id: string;
  name: string;
  description: string | null;
  isPrio: boolean;
  dueOn: string | null;
  plannedDuration: number | null;
  baseType: string;
  entityId: string;
  taskStatus?: { id: string; name: string; type: string } | null;
  updatedOn: string | null;
}

interface Awork {
  baseUrl: string;
  apiKey: string;
}

function connect(): Awork {
  const { COMIND_SECRET_AWORK_API_KEY: apiKey, COMIND_SECRET_AWORK_BASE_URL: baseUrlSecret } =
    AppSchema.getSecrets();
  if (!apiKey) throw "Missing awork API key. Configure COMIND_SECRET_AWORK_API_KEY in app secrets.";
  const baseUrl = baseUrlSecret || String(ComindServer.getVars().aworkBaseUrl || "https://api.awork.com");
  return { baseUrl, apiKey };
}

function startRequest(awork: Awork, path: string, method: "GET" | "POST" | "PUT") {
  RestApi.createClient(awork.baseUrl);
  RestApi.createRequest(path, method);
  RestApi.addHeader("Accept", "application/json");
  // awork takes its API keys as Bearer tokens, the same header as OAuth access tokens.
  RestApi.setOAuth2AuthorizationHeaderAuth(awork.apiKey);
  RestApi.setRequestTimeout(30);
}

/** awork errors: { code, description, details: [{ property, message }] }. */
function describeError(res: HttpResponse): string {
  try {
    const body = JSON.parse(res.content);
    const details = Array.isArray(body?.details)
      ? body.details.map((d: any) => d.message ?? d.description).filter(Boolean)
      : [];
    const text = [body?.description ?? body?.message, ...details].filter(Boolean).join("; ");
    if (text) return `${body.code ?? "error"}: ${text}`;
  } catch {
    // not JSON: fall through
  }
  return res.content.slice(0, 200) || "(empty body)";
}

function expectOk(res: HttpResponse, call: string): any {
  if (res.statusCode === 401 || res.statusCode === 403) {
    throw `awork rejected the API key on ${call} (HTTP ${res.statusCode}, ${describeError(res)}). Check COMIND_SECRET_AWORK_API_KEY.`;
  }
  if (!res.isSuccessful) throw `awork ${call} failed with HTTP ${res.statusCode} (${describeError(res)})`;
  return JSON.parse(res.content);
}

/** The awork task body from this record (awork plans effort in seconds, the form in minutes). */
function taskBody() {
  const vars = ComindServer.getVars();
  const projectId = entity.c_awork_project_id || String(vars.defaultProjectId || "");
  if (!projectId)
    throw "Set the awork project id on the task (or vars.defaultProjectId in settings/index.ts) before pushing it.";
  if (!entity.title) throw "A task needs a title before it can be pushed to awork.";
  return {
    name: entity.title,
    description: entity.description ?? "",
    isPrio: entity.c_is_prio === true,
    dueOn: entity.c_due_on,
    plannedDuration: entity.c_planned_minutes === null ? null : Math.round(entity.c_planned_minutes * 60),
    baseType: "projecttask",
    entityId: projectId,
    typeOfWorkId: String(vars.typeOfWorkId),
  };
}

function push_to_awork() {
  const body = taskBody();
  const awork = connect();
  const existingId = entity.c_awork_id;

  if (existingId) {
    startRequest(awork, "/api/v1/tasks/{taskId}", "PUT");
    RestApi.addUrlSegment("taskId", existingId);
  } else {
    startRequest(awork, "/api/v1/tasks", "POST");
  }
  RestApi.addJsonBody(body);
  const res = RestApi.executeRequest();
  if (existingId && res.statusCode === 404) {
    throw `awork task ${existingId} no longer exists (deleted in awork?). Clear "awork task id" on this record to create it again.`;
  }
  const task = expectOk(res, existingId ? "PUT /api/v1/tasks/{taskId}" : "POST /api/v1/tasks") as AworkTask;

  // Keep the id so the next push updates this task instead of creating a duplicate.
  entity.c_awork_id = task.id;
  entity.c_awork_status = task.taskStatus?.name ?? null;
  entity.c_awork_updated_on = task.updatedOn ?? null;
  entity.c_last_push_date = new Date().toISOString();
  console.log(`${existingId ? "Updated" : "Created"} awork task ${task.id}`);
}

function toRecord(task: AworkTask) {
  return {
    title: task.name,
    description: task.description ?? null,
    c_awork_id: task.id,
    c_awork_project_id: task.baseType === "projecttask" ? task.entityId : null,
    c_due_on: task.dueOn ?? null,
    c_is_prio: task.isPrio === true,
    c_planned_minutes:
      typeof task.plannedDuration === "number" ? Math.round(task.plannedDuration / 60) : null,
    c_awork_status: task.taskStatus?.name ?? null,
    c_awork_updated_on: task.updatedOn ?? null,
  };
}

function pull_tasks() {
  const awork = connect();
  const vars = ComindServer.getVars();
  const pageSize = Number(vars.pageSize) || 50;
  const maxPages = Number(vars.maxPages) || 90;
  const startedAt = new Date().toISOString();

  const tasks: AworkTask[] = [];
  let pages = 0;
  // Read until an empty page rather than stopping at a short one: awork may return fewer than
  // pageSize items on a page that is not the last (tasks hidden by permissions are left out).
  for (let page = 1; ; page++) {
    if (page > maxPages)
      throw `awork returned more than ${maxPages} pages of tasks; raise vars.pageSize or vars.maxPages.`;
    startRequest(awork, "/api/v1/tasks", "GET");
    RestApi.addQueryParameter("page", page);
    RestApi.addQueryParameter("pageSize", pageSize);
    const batch = expectOk(RestApi.executeRequest(), `GET /api/v1/tasks?page=${page}`);
    if (!Array.isArray(batch)) throw `awork GET /api/v1/tasks?page=${page} did not return a list of tasks.`;
    pages += 1;
    if (batch.length === 0) break;
    tasks.push(...batch);
  }

  const { created, updated } = ComindServer.importData({
    data: tasks.map(toRecord),
    keyFields: ["c_awork_id"],
  });
  console.log(`Pulled ${tasks.length} tasks in ${pages} page(s): ${created} created, ${updated} updated`);
  entity.c_last_sync_status = `Pulled ${tasks.length} tasks: ${created} created, ${updated} updated (${pages} pages)`;
  entity.c_last_sync_date = startedAt;
}

export default {
  push_to_awork,
  pull_tasks,
} satisfies ActionLogic<typeof entity>;
