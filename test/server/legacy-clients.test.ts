/**
 * The legacy REST forms of three real third-party Comind clients, replayed as raw HTTP against a
 * real server on a loopback port, with the exact URLs and bodies those clients send:
 *   - a PHP (Laravel) integration: a lead created by `process_template_id` + `project_id` on
 *     /api/apialpha.ashx/tickets/multi, files sent to /api/upload as flow.js multipart chunks and
 *     attached by their flowIdentifier (nested one level, as that client builds the list);
 *   - a C# proxy: /api/ApiAlpha.ashx//pid/{template}/tickets/list (double slash), projects/!BLA,
 *     and creates, edits and deletes on tickets/multi?check_conflict=1&layout_media=ui-form,
 *     reading `answer[0].id` and `answer[0].deleted`;
 *   - and the answer status of a batch: every item failed -> the error status; mixed -> 200.
 */
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createToken } from "../../runtime/server/auth.ts";
import { rawHttp } from "../helpers/raw-http.ts";
import { startApi, type TestServerApi } from "../helpers/server.ts";
import { removeTempApps, writeTempApp } from "../helpers/temp-app.ts";

const LEAD_FIELDS = [
  "c_domain",
  "c_primaryemail",
  "c_workphone",
  "c_source",
  "c_org",
  "c_country",
  "c_position",
  "c_empl_role",
  "c_orgsize",
  "c_sector",
  "c_facebook",
  "c_instagram",
  "c_twitter",
  "c_youtube",
  "c_linkedinprofile",
];

const fieldsFile = (names: string[]) =>
  `export default [${names.map((name) => `{ name: "${name}", caption: "${name}", type: "text" }`).join(", ")}] as const;\n`;

const packageJson = (name: string, comindApp: Record<string, unknown>) =>
  JSON.stringify({ name, comindApp, imports: { "#typings": "./typings.ts" } });

/** The vendor's CRM lead app, under its vendor package name: its template id is derived. */
const LEAD_APP = {
  "package.json": packageJson("@comind/app-crm-lead", { publishingAlias: "LEAD" }),
  "fields/index.ts": fieldsFile(LEAD_FIELDS),
  "actions/index.ts": "export default [] as const;\n",
  // The add logic runs on legacy-form items like on any add.
  "actions/logic/index.ts": `import { entity } from "#typings";
export default { add() { entity.c_source = entity.c_source + " (via form)"; } };\n`,
};

/** The C# client's task app: its template id is declared. */
const TASK_APP = {
  "package.json": packageJson("app-tasks", {
    publishingAlias: "TTASK",
    processTemplateId: "default-transaction-process-template",
  }),
  "fields/index.ts": fieldsFile(["accountable_account_id", "keeper_id", "priority", "parent_id"]),
  "actions/index.ts": "export default [] as const;\n",
  "actions/logic/index.ts": "export default {};\n",
};

/** Two apps whose derived template ids are the same: neither may be named by it. */
const twin = (alias: string) => ({
  "package.json": packageJson("app-twin", { publishingAlias: alias }),
  "actions/logic/index.ts": "export default {};\n",
});

let api: TestServerApi;
let base: string;
let token: string;
let bobToken: string;

const laravelHeaders = (code = token) => ({
  "Content-Type": "application/json; charset=utf-8",
  Authorization: `CMW_AUTH_CODE ${code}`,
});
/** What Newtonsoft's HttpClient sends: the JSON of a Dictionary<string, string> inside [ ]. */
const csharpPost = (path: string, item: Record<string, string>) =>
  rawHttp(
    base,
    "POST",
    path,
    {
      Authorization: `CMW_AUTH_CODE ${token}`,
      Accept: "application/json",
      "Content-Type": "application/json; charset=utf-8",
    },
    `[${JSON.stringify(item)}]`,
  );
const csharpGet = (path: string) =>
  rawHttp(base, "GET", path, { Authorization: `CMW_AUTH_CODE ${token}`, Accept: "application/json" });

const CSHARP_MULTI = "/api/ApiAlpha.ashx/tickets/multi?check_conflict=1&layout_media=ui-form";

/** The body the Laravel integration builds (SendCMWRequest::prepareData), files optional. */
function laravelLead(overrides: Record<string, unknown> = {}) {
  return {
    title: "Ada Lovelace",
    description: "Please call me back about the analytical engine.",
    c_domain: "oneplusone.solutions",
    c_primaryemail: "ada@example.test",
    c_workphone: "+44 20 7946 0000",
    c_source: "site",
    c_org: "Engines Ltd",
    c_country: "UK",
    c_position: "Founder",
    c_empl_role: "founder",
    c_orgsize: "size1-10",
    c_sector: "Information Technology",
    c_facebook: "",
    c_instagram: "",
    c_twitter: "",
    c_youtube: "",
    c_linkedinprofile: "",
    process_template_id: "default-app-crm-lead",
    state: "lead-warm",
    project_id: "DEMO",
    ...overrides,
  };
}

const laravelPost = (items: unknown[], code = token) =>
  rawHttp(base, "POST", "/api/apialpha.ashx/tickets/multi", laravelHeaders(code), JSON.stringify(items));

beforeAll(async () => {
  api = await startApi([
    writeTempApp(LEAD_APP),
    writeTempApp(TASK_APP),
    writeTempApp(twin("TWINA")),
    writeTempApp(twin("TWINB")),
  ]);
  await api.server.listen({ port: 0, host: "127.0.0.1" });
  base = `http://127.0.0.1:${(api.server.server.address() as AddressInfo).port}`;
  token = api.token;
  bobToken = await createToken(api.store, { id: "bob", name: "Bob", isAdmin: false });
});
afterAll(async () => {
  await api.close();
  removeTempApps();
});

describe("the Laravel integration: a lead by process_template_id + project_id", () => {
  it("creates the lead like any add: 200, created, the add logic ran, the record is listed", async () => {
    const res = await laravelPost([laravelLead()]);
    expect(res.status).toBe(200);
    const [answer] = res.json();
    expect(answer).toMatchObject({
      successful: true,
      created: true,
      data: {
        publishing_alias: "LEAD",
        project_alias: "DEMO",
        project_id: "DEMO",
        title: "Ada Lovelace",
        state: "lead-warm",
        c_primaryemail: "ada@example.test",
        c_source: "site (via form)",
      },
    });
    expect(answer.id).toBe(answer.data.id);
    expect(answer.data).not.toHaveProperty("process_template_id");
    const listed = await rawHttp(
      base,
      "GET",
      `/api/w/DEMO/a/LEAD/tickets/list?rlx=${encodeURIComponent(`id="${answer.id}"`)}`,
      laravelHeaders(),
    );
    expect(listed.json()).toEqual([expect.objectContaining({ id: answer.id, c_org: "Engines Ltd" })]);
  });

  it("a project_id that is not this workspace's alias fails with 404 and says what to send", async () => {
    const res = await laravelPost([laravelLead({ project_id: "e5c6bfa3-ef4a-b95c-fbb5-ee092896ea36" })]);
    expect(res.status).toBe(404);
    expect(res.json().error).toMatchObject({ code: "not_found" });
    expect(res.json().error.message).toContain("workspace's alias");
    expect(res.json().results).toEqual([expect.objectContaining({ successful: false })]);
  });

  it("an unknown template names the installed ids; a derived id two apps share names neither", async () => {
    const unknown = await laravelPost([laravelLead({ process_template_id: "default-app-crm-deal" })]);
    expect(unknown.status).toBe(404);
    expect(unknown.json().error.message).toContain("default-app-crm-lead (LEAD)");
    const twins = await laravelPost([
      { title: "x", process_template_id: "default-app-twin", project_id: "DEMO" },
    ]);
    expect(twins.status).toBe(400);
    expect(twins.json().error.message).toMatch(/TWINA, TWINB.*processTemplateId/);
  });
});

/** flow.js's multipart POST of one chunk (its default field order, "file" part last). */
function flowChunk(file: Buffer, name: string, identifier: string, chunkSize: number, n: number) {
  const total = Math.max(1, Math.floor(file.length / chunkSize));
  const start = (n - 1) * chunkSize;
  const end = n === total ? file.length : start + chunkSize;
  const form = new FormData();
  const fields = {
    flowChunkNumber: n,
    flowChunkSize: chunkSize,
    flowCurrentChunkSize: end - start,
    flowTotalSize: file.length,
    flowIdentifier: identifier,
    flowFilename: name,
    flowRelativePath: name,
    flowTotalChunks: total,
  };
  for (const [key, value] of Object.entries(fields)) form.append(key, String(value));
  form.append("file", new Blob([file.subarray(start, end)], { type: "application/octet-stream" }), "blob");
  const query = new URLSearchParams(Object.entries(fields).map(([k, v]): [string, string] => [k, String(v)]));
  return { form, query };
}

const flowPost = (form: FormData, code = token) =>
  fetch(`${base}/api/upload`, {
    method: "POST",
    headers: { Authorization: `CMW_AUTH_CODE ${code}` },
    body: form,
  });
const flowTest = (query: URLSearchParams, code = token) =>
  fetch(`${base}/api/upload?${query}`, { headers: { Authorization: `CMW_AUTH_CODE ${code}` } });

describe("flow.js upload on /api/upload, then the Laravel attach", () => {
  // 2.5 chunks of 1 KB: flow.js sends the remainder with the last chunk (3 chunks: 1K, 1K, 1.5K... here 2).
  const file = Buffer.from(
    Array.from({ length: 2600 }, (_, i) => String.fromCharCode(97 + (i % 26))).join(""),
  );
  const identifier = "DEMO-2600-cv_pdf-1767225600000";
  let fileUid: string;

  it("tests chunks (204 / 200), takes them out of order and stores the file when the last arrives", async () => {
    const chunkSize = 1024; // -> 2 chunks: 1024 and 1576 bytes (flow.js's remainder rule)
    const one = flowChunk(file, "cv.pdf", identifier, chunkSize, 1);
    const two = flowChunk(file, "cv.pdf", identifier, chunkSize, 2);
    expect((await flowTest(two.query)).status).toBe(204);
    const first = await flowPost(two.form);
    expect(first.status).toBe(200);
    expect(await first.json()).toMatchObject({ complete: false, received: 1, totalChunks: 2 });
    expect((await flowTest(two.query)).status).toBe(200);
    expect((await flowTest(one.query)).status).toBe(204);
    // Another user's test of the same identifier is another upload: nothing of alice's shows.
    expect((await flowTest(two.query, bobToken)).status).toBe(204);
    const last = await flowPost(one.form);
    expect(last.status).toBe(200);
    const done = (await last.json()) as any;
    expect(done).toMatchObject({
      complete: true,
      file_name: "cv.pdf",
      size: file.length,
      flowIdentifier: identifier,
    });
    expect(last.headers.get("comind-file-uid")).toBe(done.file_uid);
    fileUid = done.file_uid;
    const download = await rawHttp(base, "GET", `/api/download/${fileUid}`, laravelHeaders());
    expect(download.status).toBe(200);
    expect(download.text).toBe(file.toString());
    // Once stored, every chunk tests as present, and a repeated chunk answers the stored file.
    expect((await flowTest(one.query)).status).toBe(200);
    expect(
      await (await flowPost(flowChunk(file, "cv.pdf", identifier, chunkSize, 2).form)).json(),
    ).toMatchObject({
      complete: true,
      file_uid: fileUid,
    });
  });

  it("another user cannot attach alice's unattached upload, by its identifier or its file id", async () => {
    for (const uid of [identifier, fileUid]) {
      const res = await laravelPost(
        [laravelLead({ attachments: [{ file_uid: uid, title: "x" }] })],
        bobToken,
      );
      expect(res.status, uid).toBe(400);
      expect(res.json().error.code).toBe("validation_error");
    }
  });

  it("the lead attaches the file by its flowIdentifier, nested as the Laravel client sends it", async () => {
    const attachments = [[{ file_uid: identifier, id: identifier, pending: true, title: "cv.pdf" }]];
    const res = await laravelPost([laravelLead({ attachments })]);
    expect(res.status).toBe(200);
    const [answer] = res.json();
    expect(answer.successful).toBe(true);
    expect(answer.data.attachments).toEqual([
      { file_uid: fileUid, id: identifier, pending: true, title: "cv.pdf" },
    ]);
    // Now the file follows the lead (bob may read leads), but the identifier is still alice's alone.
    const bob = await laravelPost(
      [laravelLead({ attachments: [{ file_uid: identifier, title: "x" }] })],
      bobToken,
    );
    expect(bob.status).toBe(400);
  });

  it("one chunk of a single-chunk upload (what the Laravel client sends) stores the file at once", async () => {
    const small = Buffer.from("a short covering letter");
    const { form } = flowChunk(small, "letter.txt", "DEMO-23-letter_txt-1767225600001", 1048576, 1);
    const res = await flowPost(form);
    expect(await res.json()).toMatchObject({ complete: true, size: small.length, file_name: "letter.txt" });
  });

  it("refuses what it cannot store, with the upload's own messages", async () => {
    const big = flowChunk(Buffer.from("x"), "big.bin", "big-1", 1, 1);
    big.form.set("flowTotalSize", String(101 * 1024 * 1024));
    const tooBig = await flowPost(big.form);
    expect(tooBig.status).toBe(413);
    expect(((await tooBig.json()) as any).error.message).toContain("100 MB");

    const past = flowChunk(Buffer.from("xy"), "a.bin", "past-1", 1, 2);
    past.form.set("flowChunkNumber", "3");
    expect((await flowPost(past.form)).status).toBe(400);

    const first = flowChunk(Buffer.from("abcd"), "a.bin", "changing-1", 2, 1);
    expect((await flowPost(first.form)).status).toBe(200);
    const changed = flowChunk(Buffer.from("abcdef"), "a.bin", "changing-1", 2, 2);
    const refused = await flowPost(changed.form);
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as any).error.message).toContain("flowTotalChunks");

    const noFile = new FormData();
    for (const [k, v] of flowChunk(Buffer.from("z"), "z", "nofile-1", 1, 1).query) noFile.append(k, v);
    const missing = await flowPost(noFile);
    expect(missing.status).toBe(400);
    expect(((await missing.json()) as any).error.message).toContain("file part");

    const huge = flowChunk(Buffer.alloc(17 * 1024 * 1024, 1), "huge.bin", "huge-1", 17 * 1024 * 1024, 1);
    const overCap = await flowPost(huge.form);
    expect(overCap.status).toBe(413);
    expect(((await overCap.json()) as any).error.message).toContain("16 MB");

    const anonymous = await fetch(`${base}/api/upload`, { method: "POST", body: first.form });
    expect(anonymous.status).toBe(401);
  });
});

describe("the C# client", () => {
  let taskId: string;

  it("creates, lists by /pid/ with a double slash, edits with check_conflict=1 and deletes", async () => {
    const created = await csharpPost(CSHARP_MULTI, {
      accountable_account_id: "alice",
      keeper_id: "alice",
      project_id: "DEMO",
      title: "Write the report",
      description: "Quarterly",
      process_template_id: "default-transaction-process-template",
      state: "open",
      priority: "high",
    });
    expect(created.status).toBe(200);
    taskId = created.json()[0].id; // JArray.Parse(result)[0]["id"]
    expect(taskId).toEqual(expect.any(String));

    const list = await csharpGet(
      "/api/ApiAlpha.ashx//pid/default-transaction-process-template/tickets/list?&listOfFields=ALL&withTechnicalData=true",
    );
    expect(list.status).toBe(200);
    const task = list.json().data.find((t: any) => t.id === taskId);
    expect(task).toMatchObject({
      project_id: "DEMO",
      title: "Write the report",
      state: "open",
      priority: "high",
    });
    expect(new Date(task.creation_date).getTime()).not.toBeNaN();
    // Other apps' records are not in the template's list.
    expect(list.json().data.every((t: any) => t.publishing_alias === "TTASK")).toBe(true);

    const edited = await csharpPost(CSHARP_MULTI, {
      id: taskId,
      project_id: "DEMO",
      title: "Write the annual report",
      process_template_id: "default-transaction-process-template",
      transition: "edit",
      state: "in-progress",
    });
    expect(edited.status).toBe(200);
    expect(edited.json()[0]).toMatchObject({
      successful: true,
      updated: true,
      data: { state: "in-progress" },
    });

    const deleted = await csharpPost(CSHARP_MULTI, {
      process_template_id: "default-transaction-process-template",
      id: taskId,
      transition: "delete",
    });
    expect(deleted.status).toBe(200);
    expect(String(deleted.json()[0].deleted)).toBe("true");
  });

  it("check_conflict=1: an edit carrying a stale revision is refused with 409 and writes nothing", async () => {
    const created = await csharpPost(CSHARP_MULTI, {
      title: "v1",
      process_template_id: "default-transaction-process-template",
      project_id: "DEMO",
    });
    const { id, revision } = created.json()[0].data;
    const first = await csharpPost(CSHARP_MULTI, { id, title: "v2", revision: String(revision) });
    expect(first.json()[0]).toMatchObject({
      successful: true,
      data: { title: "v2", revision: revision + 1 },
    });
    const stale = await csharpPost(CSHARP_MULTI, { id, title: "v3", revision: String(revision) });
    expect(stale.status).toBe(409);
    expect(stale.json().error.code).toBe("conflict");
    expect(stale.json().results[0]).toMatchObject({ successful: false, id, error: { code: "conflict" } });
    const now = await csharpGet(`/api/w/DEMO/a/TTASK/tickets/list?rlx=${encodeURIComponent(`id="${id}"`)}`);
    expect(now.json()[0]).toMatchObject({ title: "v2", revision: revision + 1 });
  });

  it("projects/!BLA and projects/<alias>!BLA answer the workspace, its users and the caller", async () => {
    for (const path of [
      "/api/ApiAlpha.ashx/projects/!BLA",
      "/api/ApiAlpha.ashx/projects/DEMO!BLA",
      "/api/projects/!DEMO",
    ]) {
      const res = await csharpGet(path);
      expect(res.status, path).toBe(200);
      expect(res.json()).toMatchObject({
        alias: "DEMO",
        current_user_id: "alice",
        workspace_details: { company_title: "DEMO" },
        workspace_users: expect.arrayContaining([
          { id: "alice", name: "Alice" },
          { id: "bob", name: "Bob" },
        ]),
      });
      expect(res.json().apps.map((app: any) => app.alias)).toContain("TTASK");
    }
    const other = await csharpGet("/api/ApiAlpha.ashx/projects/OTHER!BLA");
    expect(other.status).toBe(404);
    expect(other.json().error.code).toBe("not_found");
  });
});

describe("the status of a batch", () => {
  it("every item failed: the first item's error status, { error, results } with each item", async () => {
    // The item the Laravel client sent before: neither app nor transition can be understood.
    const single = await laravelPost([{ title: "Lead", state: "lead-warm" }]);
    expect(single.status).toBe(400);
    expect(single.json().error).toMatchObject({ code: "bad_request" });
    expect(single.json().results).toEqual([
      expect.objectContaining({ successful: false, error: expect.objectContaining({ code: "bad_request" }) }),
    ]);
    const two = await laravelPost([{ id: "no-such-record", title: "x" }, { title: "y" }]);
    expect(two.status).toBe(404);
    expect(two.json().error.message).toMatch(/^Every item failed; the first: Record no-such-record/);
    expect(two.json().results.map((r: any) => r.error.code)).toEqual(["not_found", "bad_request"]);
  });

  it("a mixed batch keeps 200 and the per-item list", async () => {
    const res = await laravelPost([laravelLead({ title: "Fine" }), { title: "Not understood" }]);
    expect(res.status).toBe(200);
    expect(res.json().map((r: any) => r.successful)).toEqual([true, false]);
    expect(res.json()[1].error.code).toBe("bad_request");
  });
});

describe("OpenAPI", () => {
  it("lists both upload routes, the /pid/ routes and the legacy alias of each", async () => {
    const paths = (await rawHttp(base, "GET", "/api/openapi.json")).json().paths;
    const methods = (path: string) => Object.keys(paths[path] ?? {}).sort();
    for (const prefix of ["/api", "/api/apialpha.ashx"]) {
      expect(methods(`${prefix}/upload`), prefix).toEqual(["get", "post"]);
      expect(methods(`${prefix}/upload-tus`)).toEqual(["options", "post"]);
      expect(methods(`${prefix}/upload-tus/{uploadId}`)).toEqual(["delete", "head", "options", "patch"]);
      for (const route of ["list", "history", "changed"])
        expect(methods(`${prefix}/pid/{app}/tickets/${route}`)).toEqual(["get", "post"]);
    }
    expect(Object.keys(paths["/api/upload"].post.requestBody.content)).toEqual(["multipart/form-data"]);
    const changed =
      paths["/api/w/{ws}/a/{app}/tickets/changed"].get.responses["200"].content["application/json"];
    expect(changed.schema.properties.data.type).toBe("integer");
    const multiQuery = paths["/api/tickets/multi"].post.parameters.map((p: any) => p.name);
    expect(multiQuery).toEqual(expect.arrayContaining(["check_conflict", "layout_media"]));
  });
});
