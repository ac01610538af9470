/**
 * /api/openapi.json describes what the server really answers: every JSON read and write route
 * documents its 200 answer, and real answers validate against those schemas (Ajv).
 */
import { join } from "node:path";
import { Ajv } from "ajv";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FIXTURE_APPS } from "../helpers/runtime.ts";
import { startApi, type TestServerApi } from "../helpers/server.ts";

let api: TestServerApi;
let doc: { paths: Record<string, Record<string, any>> };
const ajv = new Ajv({ strict: false, allErrors: true });

beforeAll(async () => {
  api = await startApi([join(FIXTURE_APPS, "app-probe")]);
  doc = (await api.get("/api/openapi.json", {})).json();
});
afterAll(async () => api.close());

/** The documented 200 JSON schema of one operation. */
function answerSchema(method: string, path: string) {
  const operation = doc.paths[path]?.[method];
  expect(operation, `${method.toUpperCase()} ${path} is documented`).toBeDefined();
  const schema = operation.responses?.["200"]?.content?.["application/json"]?.schema;
  expect(schema, `${method.toUpperCase()} ${path} documents its 200 answer`).toBeDefined();
  return schema;
}

function expectValid(method: string, path: string, body: unknown) {
  const validate = ajv.compile(answerSchema(method, path));
  const ok = validate(body);
  expect(ok, `${method.toUpperCase()} ${path}: ${ajv.errorsText(validate.errors)}`).toBe(true);
}

describe("OpenAPI answers", () => {
  it("documents a 200 answer schema for every JSON route of records, schema, projects and actions", () => {
    const routes: [string, string][] = [
      ["get", "/api/common"],
      ["get", "/api/schema/{spec}"],
      ["get", "/api/projects/{spec}"],
      ["post", "/api/tickets/list"],
      ["get", "/api/tickets/list"],
      ["post", "/api/w/{ws}/a/{app}/tickets/list"],
      ["post", "/api/w/{ws}/a/{app}/tickets/history"],
      ["get", "/api/w/{ws}/a/{app}/tickets/changed"],
      ["post", "/api/tickets/search"],
      ["post", "/api/tickets/history"],
      ["post", "/api/tickets/multi"],
      ["post", "/api/apps/{ws}/{app}/actions/{uid}"],
    ];
    for (const [method, path] of routes) answerSchema(method, path);
  });

  it("real answers validate against the documented schemas", async () => {
    const multi = await api.post("/api/tickets/multi", [
      { transition: "add", app_alias: "PROBE", title: "Schema check", c_count: 1 },
    ]);
    expectValid("post", "/api/tickets/multi", multi.json());
    const id = multi.json()[0].data.id;
    expectValid("get", "/api/common", (await api.get("/api/common")).json());
    expectValid("get", "/api/schema/{spec}", (await api.get("/api/schema/DEMO!PROBE")).json());
    expectValid("get", "/api/projects/{spec}", (await api.get("/api/projects/DEMO!WORKSPACE")).json());
    expectValid("post", "/api/tickets/list", (await api.post("/api/tickets/list", {})).json());
    expectValid(
      "post",
      "/api/w/{ws}/a/{app}/tickets/list",
      (await api.post("/api/w/DEMO/a/PROBE/tickets/list?withTechnicalData=true", {})).json(),
    );
    expectValid(
      "post",
      "/api/tickets/search",
      (await api.post("/api/tickets/search", { query: "Schema" })).json(),
    );
    expectValid("post", "/api/tickets/history", (await api.post("/api/tickets/history", { id })).json());
    expectValid(
      "post",
      "/api/w/{ws}/a/{app}/tickets/history",
      (await api.post("/api/w/DEMO/a/PROBE/tickets/history", { rlx: `id="${id}"` })).json(),
    );
    const action = await api.post("/api/apps/DEMO/PROBE/actions/increment", { id });
    expect(action.statusCode).toBe(200);
    expectValid("post", "/api/apps/{ws}/{app}/actions/{uid}", action.json());
    expect(action.json()).toMatchObject({ ok: true, entity: { id, c_count: 2 } });
  });

  it("a schema that does not match the answer is caught (the check can fail)", () => {
    const validate = ajv.compile(answerSchema("post", "/api/tickets/search"));
    expect(validate({ not: "an array" })).toBe(false);
    expect(validate([{ id: 42 }])).toBe(false);
  });
});
