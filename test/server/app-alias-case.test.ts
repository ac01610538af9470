// One case rule for app aliases on every door (runtime/app-alias.ts): REST paths and bodies and
// MCP accept `probe` for PROBE (the runs list and `runs --app`: test/queue/api.test.ts); an unknown alias is not_found naming the
// installed apps the caller may read, and never an app they may not read.
import { multiItems } from "../helpers/multi-items.ts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { createToken } from "../../runtime/server/auth.ts";
import { EXAMPLE_APPS, FIXTURE_APPS } from "../helpers/runtime.ts";
import { startApi, type TestServerApi } from "../helpers/server.ts";

let api: TestServerApi;
let recordId: string;

beforeAll(async () => {
  api = await startApi([join(FIXTURE_APPS, "app-probe"), join(EXAMPLE_APPS, "app-crm-contact")]);
  const added = await api.post("/api/tickets/multi", [{ transition: "add", app_alias: "probe", c_count: 1 }]);
  expect(added.statusCode).toBe(200);
  expect(added.json()[0]).toMatchObject({ successful: true });
  recordId = added.json()[0].data.id;
});
afterAll(() => api.close());

describe("an app alias in any case names the same app", () => {
  it("over REST: action route, app-scoped reads, schema, search, multi (the runs list: test/queue/api.test.ts)", async () => {
    const ran = await api.post("/api/apps/DEMO/probe/actions/increment", { id: recordId });
    expect(ran.statusCode, ran.body).toBe(200);
    expect(ran.json()).toMatchObject({ ok: true, entity: { c_count: 2 } });
    for (const url of ["/api/w/DEMO/a/Probe/tickets/list", "/api/aid/probe/tickets/list"]) {
      const listed = await api.post(url, {});
      expect(listed.statusCode, url).toBe(200);
    }
    expect((await api.get("/api/schema/DEMO!probe")).statusCode).toBe(200);
    expect((await api.post("/api/tickets/search", { query: "x", app_alias: "probe" })).statusCode).toBe(200);
    const edited = await api.post("/api/tickets/multi", [
      { transition: "edit", id: recordId, app_alias: "probe", c_count: 5 },
    ]);
    expect(edited.json()[0]).toMatchObject({ successful: true });
  });

  it("over MCP", async () => {
    const address = await api.server.listen({ port: 0, host: "127.0.0.1" });
    const mcp = new Client({ name: "comind-runtime-test", version: "1.0.0" });
    await mcp.connect(
      new StreamableHTTPClientTransport(new URL(`${address}/mcp`), { requestInit: { headers: api.auth } }),
    );
    try {
      const listed = (await mcp.callTool({ name: "list_records", arguments: { app: "pRoBe" } })) as {
        isError?: boolean;
        content: { text: string }[];
      };
      expect(listed.isError, listed.content[0].text).toBeFalsy();
      expect(JSON.parse(listed.content[0].text).data.map((r: { id: string }) => r.id)).toContain(recordId);
      const unknown = (await mcp.callTool({ name: "get_app_schema", arguments: { app: "nope" } })) as {
        isError?: boolean;
        content: { text: string }[];
      };
      expect(unknown.isError).toBe(true);
      expect(JSON.parse(unknown.content[0].text).error).toMatchObject({
        code: "not_found",
        message: "App nope is not installed in workspace DEMO (installed: PROBE, CONTACT).",
      });
    } finally {
      await mcp.close();
    }
  });
});

describe("an unknown app alias over REST", () => {
  it("is not_found naming the installed apps, as an unknown action names the actions", async () => {
    const unknownApp = await api.post("/api/apps/DEMO/nope/actions/increment", {});
    expect(unknownApp.statusCode).toBe(404);
    expect(unknownApp.json().error).toMatchObject({
      code: "not_found",
      message: "App nope is not installed in workspace DEMO (installed: PROBE, CONTACT).",
    });
    const unknownAction = await api.post("/api/apps/DEMO/probe/actions/nope", {});
    expect(unknownAction.json().error.message).toMatch(/is not defined in app PROBE \(known: .*increment/);
    for (const [url, body] of [
      ["/api/w/DEMO/a/NOPE/tickets/list", {}],
      ["/api/tickets/multi", [{ transition: "add", app_alias: "nope" }]],
      ["/api/tickets/search", { query: "x", app_alias: "nope" }],
    ] as const) {
      const res = await api.post(url, body);
      // A batch whose only item failed answers { error, results } (the item's own error is the same).
      const error = url.endsWith("multi") ? multiItems(res.json())[0].error : res.json().error;
      expect(error.message, url).toContain("(installed: PROBE, CONTACT)");
    }
    const byId = await api.post("/api/aid/nope/tickets/list", {});
    expect(byId.statusCode).toBe(404);
    expect(byId.json().error.message).toContain("(installed: PROBE, CONTACT)");
  });

  it("names only the apps the caller may read", async () => {
    await api.store.directory.saveGroup("contact-readers");
    await api.store.directory.grant({
      workspace: "DEMO",
      app: "CONTACT",
      group: "contact-readers",
      permission: "read",
    });
    const outsider = `CMW_AUTH_CODE ${await createToken(api.store, { id: "outsider" })}`;
    try {
      const res = await api.post("/api/apps/DEMO/nope/actions/x", {}, { authorization: outsider });
      expect(res.statusCode).toBe(404);
      expect(res.json().error.message).toBe(
        "App nope is not installed in workspace DEMO (installed: PROBE).",
      );
      const schema = await api.get("/api/schema/DEMO!nope", { authorization: outsider });
      expect(schema.json().error.message).not.toContain("CONTACT");
    } finally {
      await api.store.directory.revoke({
        workspace: "DEMO",
        app: "CONTACT",
        group: "contact-readers",
        permission: "read",
      });
    }
  });
});
