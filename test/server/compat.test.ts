/**
 * Existing Comind clients against a real server on an OS-chosen loopback port, every request
 * shape sent as raw HTTP: GET / form / JSON list reads, transition-less multi items, warning
 * objects, the legacy /api/apialpha.ashx prefix, changed-since with tombstones, app-scoped
 * history, /api/aid routes, upload URLs as file ids, /api/common keys and the OpenAPI listing.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { formEncode, rawHttp } from "../helpers/raw-http.ts";
import { startApi, type TestServerApi } from "../helpers/server.ts";
import { removeTempApps, writeTempApp } from "../helpers/temp-app.ts";

const APP_FILES = {
  "fields/index.ts": `export default [
    { name: "c_email", caption: "Email", type: "text" },
    { name: "c_n", caption: "N", type: "number" },
    { name: "c_file", caption: "File", type: "text" },
  ] as const;\n`,
  "actions/index.ts": `export default [
    { uid: "speak", caption: "Speak" },
    { uid: "fail", caption: "Fail" },
    { uid: "file_name", caption: "File name" },
  ] as const;\n`,
  "actions/logic/index.ts": `import { entity } from "#typings";
export default {
  speak() { console.info("note"); console.warn("careful"); console.error("bad thing"); console.log("debug only"); entity.c_n = 1; },
  fail() { console.warn("about to fail"); throw "Cannot do that to this record"; },
  file_name() { entity.c_email = Files.getFileRef(entity.c_file).fileName; },
};\n`,
};

let api: TestServerApi;
let base: string;
let auth: Record<string, string>;
const JSON_TYPE = { "content-type": "application/json" };
const FORM_TYPE = { "content-type": "application/x-www-form-urlencoded" };

const get = (path: string) => rawHttp(base, "GET", path, auth);
const postForm = (path: string, params: Record<string, string | number | boolean>) =>
  rawHttp(base, "POST", path, { ...auth, ...FORM_TYPE }, formEncode(params));
const postJson = (path: string, body: unknown) =>
  rawHttp(base, "POST", path, { ...auth, ...JSON_TYPE }, JSON.stringify(body));

async function multi(items: unknown[], prefix = "/api"): Promise<any[]> {
  const res = await postJson(`${prefix}/tickets/multi`, items);
  expect(res.status).toBe(200);
  return res.json();
}

/** A batch whose every item fails: the first item's error status, the items in `results`. */
async function failedBatch(items: unknown[], status: number): Promise<any[]> {
  const res = await postJson("/api/tickets/multi", items);
  expect(res.status).toBe(status);
  expect(res.json().error.code).toBe(res.json().results[0].error.code);
  return res.json().results;
}

async function addRecords(rows: Record<string, unknown>[]): Promise<any[]> {
  const answers = await multi(rows.map((row) => ({ transition: "add", app_alias: "TASK", ...row })));
  for (const answer of answers) expect(answer.successful).toBe(true);
  return answers.map((answer) => answer.data);
}

beforeAll(async () => {
  api = await startApi([writeTempApp(APP_FILES, { alias: "TASK" })]);
  await api.server.listen({ port: 0, host: "127.0.0.1" });
  base = `http://127.0.0.1:${(api.server.server.address() as AddressInfo).port}`;
  auth = api.auth;
});
afterAll(async () => {
  await api.close();
  removeTempApps();
});

describe("list reads by GET, form POST and JSON POST", () => {
  const params = {
    limitRecords: 5,
    listOfFields: "title,c_email",
    rlx: 'c_email~"x"',
    sortby: "creation_date desc",
    skipAncestors: true,
    loadRichTexts: false,
    expandRecord: 1,
    lm: 1,
  };
  let made: any[];
  beforeAll(async () => {
    made = [];
    for (const row of [
      { title: "a", c_email: "a@x.test", c_n: 1 },
      { title: "b", c_email: "b@y.test", c_n: 2 },
      { title: "c", c_email: "c@x.test", c_n: 3 },
    ]) {
      made.push(...(await addRecords([row])));
      await sleep(3); // distinct creation times at millisecond resolution
    }
  });

  it("answers a GET with a query string: filter, lower-case sortby, field list, numbers as text", async () => {
    const res = await get(`/api/w/DEMO/a/TASK/tickets/list?${formEncode(params)}`);
    expect(res.status).toBe(200);
    const records = res.json();
    expect(records.map((r: any) => r.title)).toEqual(["c", "a"]);
    expect(records[0]).toMatchObject({ id: made[2].id, c_email: "c@x.test", publishing_alias: "TASK" });
    expect(records[0]).not.toHaveProperty("c_n");
  });

  it("answers a form-encoded POST and a JSON POST the same way, on both list routes", async () => {
    const byGet = (await get(`/api/w/DEMO/a/TASK/tickets/list?${formEncode(params)}`)).json();
    const byForm = await postForm("/api/w/DEMO/a/TASK/tickets/list", params);
    expect(byForm.status).toBe(200);
    expect(byForm.json()).toEqual(byGet);
    const byJson = await postJson("/api/w/DEMO/a/TASK/tickets/list", { ...params, sortBy: params.sortby });
    expect(byJson.json()).toEqual(byGet);
    const workspaceGet = await get(
      `/api/tickets/list?${formEncode({ ...params, rlx: 'publishing_alias="TASK" AND c_email~"x"' })}`,
    );
    expect(workspaceGet.status).toBe(200);
    expect(workspaceGet.json()).toEqual(byGet);
    const workspaceForm = await postForm("/api/tickets/list", { ...params, rlx: 'c_email~"y"' });
    expect(workspaceForm.json().map((r: any) => r.title)).toEqual(["b"]);
  });

  it("takes withTechnicalData and skipRecords as text in every encoding", async () => {
    const query = formEncode({
      withTechnicalData: "true",
      skipRecords: "1",
      limitRecords: "1",
      sortby: "title asc",
    });
    const res = await get(`/api/w/DEMO/a/TASK/tickets/list?${query}`);
    expect(res.json()).toMatchObject({
      filteredRecordsCount: 3,
      unfilteredRecordsCount: 3,
      data: [{ title: "b" }],
    });
    const form = await postForm("/api/w/DEMO/a/TASK/tickets/list?withTechnicalData=true", {
      skipRecords: "2",
      sortby: "title asc",
    });
    expect(form.json()).toMatchObject({ filteredRecordsCount: 3, data: [{ title: "c" }] });
  });

  it("refuses a malformed number the same way in all three encodings", async () => {
    const answers = [
      await get("/api/w/DEMO/a/TASK/tickets/list?limitRecords=many"),
      await postForm("/api/w/DEMO/a/TASK/tickets/list", { limitRecords: "many" }),
      await postJson("/api/w/DEMO/a/TASK/tickets/list", { limitRecords: "many" }),
      await get("/api/tickets/list?limitRecords=5000"),
    ];
    for (const res of answers) {
      expect(res.status).toBe(400);
      expect(res.json().error.code).toBe("bad_request");
      expect(res.json().error.message).toContain("limitRecords");
    }
  });
});

describe("other routes", () => {
  it("keep taking JSON only: a form body on tickets/multi is a clear 400", async () => {
    const res = await postForm("/api/tickets/multi", { app_alias: "TASK", title: "form" });
    expect(res.status).toBe(400);
    expect(res.json().error).toMatchObject({
      code: "bad_request",
      message: expect.stringContaining("application/json"),
    });
  });
});

describe("tickets/multi as Comind clients send it", () => {
  it("treats an item with app_alias and no id as add, one with an id as edit", async () => {
    const [added] = await multi([{ app_alias: "TASK", title: "no transition", c_n: 5 }]);
    expect(added).toMatchObject({
      successful: true,
      created: true,
      data: { title: "no transition", c_n: 5 },
    });
    const [edited] = await multi([{ id: added.data.id, c_n: 6 }]);
    expect(edited).toMatchObject({ successful: true, updated: true, data: { id: added.data.id, c_n: 6 } });
    const [neither, fine] = await multi([{ title: "orphan" }, { id: added.data.id, c_n: 7 }]);
    expect(neither).toMatchObject({ successful: false, error: { code: "bad_request" } });
    expect(fine).toMatchObject({ successful: true, data: { c_n: 7 } });
  });

  it("answers warnings as { message, severity } and repeats a failure's message as an error warning", async () => {
    const [record] = await addRecords([{ title: "talker" }]);
    const [spoke, failed] = await multi([
      { id: record.id, transition: "speak" },
      { id: record.id, transition: "fail" },
    ]);
    expect(spoke.successful).toBe(true);
    expect(spoke.warnings).toEqual([
      { message: "note", severity: 1 },
      { message: "careful", severity: 2 },
      { message: "bad thing", severity: 3 },
    ]);
    expect(failed.successful).toBe(false);
    expect(failed.error).toMatchObject({ code: "logic_error", message: "Cannot do that to this record" });
    expect(failed.warnings).toEqual([
      { message: "about to fail", severity: 2 },
      { message: "Cannot do that to this record", severity: 3 },
    ]);
    const [missing] = await failedBatch([{ id: "no-such-record", transition: "edit" }], 404);
    expect(missing.warnings).toEqual([{ message: missing.error.message, severity: 3 }]);
  });

  it("answers a delete with deleted: true and the record's id and number", async () => {
    const [record] = await addRecords([{ title: "doomed" }]);
    const [deleted] = await multi([{ id: record.id, transition: "delete" }]);
    expect(deleted).toMatchObject({
      successful: true,
      deleted: true,
      data: { id: record.id, number: record.number },
    });
    expect(typeof record.number).toBe("number");
  });
});

describe("the legacy /api/apialpha.ashx prefix", () => {
  it("reaches the same routes in any letter case", async () => {
    const common = await get("/api/ApiAlpha.ashx/common");
    expect(common.status).toBe(200);
    expect(common.json()).toEqual((await get("/api/common")).json());
    const list = await get("/api/APIALPHA.ASHX/w/DEMO/a/TASK/tickets/list?limitRecords=2&sortby=title%20asc");
    expect(list.status).toBe(200);
    expect(list.json()).toEqual(
      (await get("/api/w/DEMO/a/TASK/tickets/list?limitRecords=2&sortby=title%20asc")).json(),
    );
    const [added] = await multi([{ app_alias: "TASK", title: "via legacy" }], "/api/apialpha.ashx");
    expect(added).toMatchObject({ successful: true, created: true });
    expect((await get("/api/apialpha.ashx/no-such-route")).status).toBe(404);
    expect((await rawHttp(base, "GET", "/api/apialpha.ashx/common")).status).toBe(401);
  });
});

describe("changed since, with tombstones", () => {
  it("counts records changed or deleted since a time and lists deleted records when asked", async () => {
    const [keep, edit, drop] = await addRecords([{ title: "keep" }, { title: "edit" }, { title: "drop" }]);
    await sleep(5);
    const since = new Date().toISOString();
    await sleep(5);
    expect((await get(`/api/w/DEMO/a/TASK/tickets/changed?sinceTime=${since}`)).json()).toEqual({
      status: "ok",
      data: 0,
    });
    await multi([
      { id: edit.id, c_n: 9 },
      { id: drop.id, transition: "delete" },
    ]);
    for (const path of [
      `/api/w/DEMO/a/TASK/tickets/changed?sinceTime=${since}`,
      `/api/apialpha.ashx/w/DEMO/a/TASK/tickets/changed?sinceTime=${since}`,
      `/api/aid/TASK/tickets/changed?sinceTime=${since}`,
    ]) {
      const res = await get(path);
      expect(res.status).toBe(200);
      expect(res.json()).toEqual({ status: "ok", data: 2 });
    }
    const list = await get(
      `/api/w/DEMO/a/TASK/tickets/list?${formEncode({ includeDeletedAfter: since, limitRecords: 1000 })}`,
    );
    const records = list.json();
    expect(records.find((r: any) => r.id === keep.id)).toBeDefined();
    const tombstone = records.find((r: any) => r.id === drop.id);
    expect(tombstone).toEqual({
      id: drop.id,
      number: drop.number,
      publishing_alias: "TASK",
      project_alias: "DEMO",
      is_deleted: true,
      deletion_date: expect.any(String),
    });
    expect(tombstone.deletion_date > since).toBe(true);
    const later = (
      await get(`/api/w/DEMO/a/TASK/tickets/list?includeDeletedAfter=${new Date().toISOString()}`)
    ).json();
    expect(later.some((r: any) => r.is_deleted)).toBe(false);
  });

  it("refuses a missing or malformed sinceTime with a clear 400", async () => {
    for (const path of [
      "/api/w/DEMO/a/TASK/tickets/changed",
      "/api/w/DEMO/a/TASK/tickets/changed?sinceTime=yesterday",
    ]) {
      const res = await get(path);
      expect(res.status).toBe(400);
      expect(res.json().error).toMatchObject({
        code: "bad_request",
        message: expect.stringContaining("sinceTime"),
      });
    }
  });
});

describe("app-scoped history", () => {
  it("answers one entry per version with the field values as of that version, by GET and POST", async () => {
    const [record] = await addRecords([{ title: "v1", c_email: "one@x.test", c_n: 1 }]);
    await multi([{ id: record.id, c_email: "two@x.test" }]);
    await multi([{ id: record.id, transition: "edit", c_n: 3 }]);
    const params = {
      rlx: `id="${record.id}"`,
      listOfFields: "c_email,c_n",
      sortby: "version_timestamp asc",
      limitRecords: 10,
    };
    const res = await get(`/api/w/DEMO/a/TASK/tickets/history?${formEncode(params)}`);
    expect(res.status).toBe(200);
    const versions = res.json();
    expect(versions.map((v: any) => [v.transition, v.c_email, v.c_n])).toEqual([
      ["add", "one@x.test", 1],
      ["edit", "two@x.test", 1],
      ["edit", "two@x.test", 3],
    ]);
    for (const version of versions) {
      expect(version).toMatchObject({
        id: record.id,
        version_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        version_timestamp: expect.any(String),
        version_account: "alice",
        comment: "",
        changes: expect.any(Array),
      });
      expect(version).not.toHaveProperty("title");
    }
    expect(new Set(versions.map((v: any) => v.version_id)).size).toBe(3);
    expect(versions[2].changes).toEqual([{ field: "c_n", old_value: 1, new_value: 3 }]);
    const byForm = await postForm("/api/w/DEMO/a/TASK/tickets/history", params);
    expect(byForm.json()).toEqual(versions);
    const newestFirst = (
      await get(`/api/w/DEMO/a/TASK/tickets/history?${formEncode({ rlx: params.rlx, limitRecords: 1 })}`)
    ).json();
    expect(newestFirst).toHaveLength(1);
    expect(newestFirst[0]).toMatchObject({ c_n: 3, title: "v1", version_id: versions[2].version_id });
    const old = await postJson("/api/tickets/history", { id: record.id });
    expect(old.json().map((e: any) => e.revision)).toEqual([1, 2, 3]);
  });
});

describe("app id routes", () => {
  it("shows a stable app id and answers /api/aid/{alias or id} routes", async () => {
    const projects = (await get("/api/projects/DEMO!WORKSPACE")).json();
    const appId = projects.apps.find((app: any) => app.alias === "TASK").id;
    expect(appId).toMatch(/^[0-9a-f-]{36}$/);
    expect((await get("/api/schema/DEMO!TASK")).json().app_id).toBe(appId);
    const [record] = await addRecords([{ title: "by id", c_email: "aid@x.test" }]);
    const query = formEncode({ rlx: `id="${record.id}"` });
    for (const app of [appId, "TASK", "task", appId.toUpperCase()]) {
      const list = await get(`/api/aid/${app}/tickets/list?${query}`);
      expect(list.status).toBe(200);
      expect(list.json().map((r: any) => r.id)).toEqual([record.id]);
    }
    const history = await postForm(`/api/aid/${appId}/tickets/history`, { rlx: `id="${record.id}"` });
    expect(history.json()).toHaveLength(1);
    const legacy = await get(`/api/apialpha.ashx/aid/${appId}/tickets/list?${query}`);
    expect(legacy.json()).toHaveLength(1);
    const unknown = await get("/api/aid/00000000-0000-0000-0000-000000000000/tickets/list");
    expect(unknown.status).toBe(404);
    expect(unknown.json().error.code).toBe("not_found");
    expect((await get("/api/projects/DEMO!WORKSPACE")).json().apps[0].id).toBe(appId);
  });
});

describe("upload URLs as file ids", () => {
  async function upload(bytes: Buffer, fileName: string): Promise<string> {
    const meta = `filename ${Buffer.from(fileName).toString("base64")},filetype ${Buffer.from("text/plain").toString("base64")}`;
    const created = await rawHttp(base, "POST", "/api/upload-tus", {
      ...auth,
      "tus-resumable": "1.0.0",
      "upload-length": String(bytes.length),
      "upload-metadata": meta,
    });
    expect(created.status).toBe(201);
    const location = String(created.headers.location);
    const path = new URL(location, base).pathname;
    const patched = await rawHttp(
      base,
      "PATCH",
      path,
      {
        ...auth,
        "tus-resumable": "1.0.0",
        "upload-offset": "0",
        "content-type": "application/offset+octet-stream",
      },
      bytes,
    );
    expect(patched.status).toBe(204);
    return location;
  }

  it("accepts the upload URL (absolute, relative, URL-encoded) in multi, /api/download and Files.getFileRef", async () => {
    const bytes = Buffer.from("hello from a tus upload");
    const location = await upload(bytes, "note.txt");
    const uid = location.split("/").pop()!;
    const absolute = new URL(location, base).href;
    const relative = new URL(location, base).pathname;
    for (const fileId of [absolute, relative, `${base}/api/apialpha.ashx/upload-tus/${uid}`]) {
      const [added] = await multi([
        { app_alias: "TASK", title: "with file", attachments: [{ file_uid: fileId, title: "n" }] },
      ]);
      expect(added.successful).toBe(true);
      expect(added.data.attachments).toEqual([{ file_uid: uid, title: "n" }]);
    }
    for (const fileId of [absolute, relative, uid]) {
      const res = await get(`/api/download/${encodeURIComponent(fileId)}`);
      expect(res.status).toBe(200);
      expect(res.text).toBe(bytes.toString());
    }
    const [record] = await addRecords([{ title: "reads file", c_file: absolute }]);
    const [ran] = await multi([{ id: record.id, transition: "file_name" }]);
    expect(ran).toMatchObject({ successful: true, data: { c_email: "note.txt" } });
    const [bad] = await failedBatch(
      [
        {
          app_alias: "TASK",
          attachments: [{ file_uid: `${base}/api/upload-tus/ffff0000ffff0000`, title: "x" }],
        },
      ],
      400,
    );
    expect(bad).toMatchObject({ successful: false, error: { code: "validation_error" } });
    expect(
      (await get(`/api/download/${encodeURIComponent(`${base}/api/upload-tus/ffff0000ffff0000`)}`)).status,
    ).toBe(404);
  });
});

describe("GET /api/common", () => {
  it("carries user_name, tz, user_id and company at the top level", async () => {
    const res = await get("/api/common");
    expect(res.json()).toMatchObject({
      user_id: "alice",
      user_name: "Alice",
      tz: "UTC",
      company: "DEMO",
      user: { id: "alice", name: "Alice", is_admin: false },
    });
  });
});

describe("OpenAPI", () => {
  it("lists the GET forms, the aliases and the new routes with response schemas", async () => {
    const doc = (await rawHttp(base, "GET", "/api/openapi.json")).json();
    const paths = doc.paths;
    for (const prefix of ["/api/w/{ws}/a/{app}", "/api/aid/{app}"]) {
      for (const route of ["list", "history", "changed"]) {
        const entry = paths[`${prefix}/tickets/${route}`];
        expect(entry, `${prefix}/tickets/${route}`).toBeDefined();
        expect(Object.keys(entry).sort()).toEqual(["get", "post"]);
        expect(entry.get.responses["200"].content["application/json"].schema).toBeDefined();
        expect(entry.get.parameters.map((p: any) => p.name)).toEqual(
          expect.arrayContaining(["rlx", "limitRecords", "sinceTime"]),
        );
        expect(Object.keys(entry.post.requestBody.content)).toEqual(
          expect.arrayContaining(["application/json", "application/x-www-form-urlencoded"]),
        );
      }
    }
    expect(Object.keys(paths["/api/tickets/list"]).sort()).toEqual(["get", "post"]);
    expect(paths["/api/apialpha.ashx/tickets/multi"].post).toBeDefined();
    const multiItem =
      paths["/api/tickets/multi"].post.responses["200"].content["application/json"].schema.items;
    expect(multiItem.properties.warnings.items.properties).toHaveProperty("severity");
    expect(paths["/api/apialpha.ashx/w/{ws}/a/{app}/tickets/changed"].get.responses["200"]).toBeDefined();
    expect(
      paths["/api/common"].get.responses["200"].content["application/json"].schema.properties,
    ).toHaveProperty("tz");
  });
});
