/**
 * The MCP endpoint, driven by the official SDK's own client over real HTTP: the tools' answers are
 * checked against the REST API's answers for the same data (the vendor's argument shapes are
 * replayed in detail by mcp-vendor.test.ts).
 */
import { createHash, randomUUID } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { mcpCalls, type ToolAnswer } from "../helpers/mcp-calls.ts";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FIXTURE_APPS } from "../helpers/runtime.ts";
import { startApi, type TestServerApi } from "../helpers/server.ts";

let api: TestServerApi;
let url: URL;
let client: Client;

async function connect(headers: Record<string, string>): Promise<Client> {
  const mcp = new Client({ name: "comind-runtime-test", version: "1.0.0" });
  await mcp.connect(new StreamableHTTPClientTransport(url, { requestInit: { headers } }));
  return mcp;
}

const { call, callError } = mcpCalls(() => client);

async function rest(url: string, body?: unknown) {
  const res = body === undefined ? await api.get(url) : await api.post(url, body);
  expect(res.statusCode).toBe(200);
  return res.json();
}

/** Volatile keys left out when comparing a record seen at two moments. */
const stable = (record: Record<string, unknown>) => ({ ...record, transitions: undefined });
/** A tool's record view is the REST API's plus the record's url. */
const rested = ({ url: _url, ...record }: Record<string, unknown>) => record;

beforeAll(async () => {
  api = await startApi([join(FIXTURE_APPS, "app-probe")]);
  const address = await api.server.listen({ port: 0, host: "127.0.0.1" });
  url = new URL(`${address}/mcp`);
  client = await connect(api.auth);
  const items = [
    { c_count: 5, c_note: "alpha invoice", c_when: "2026-01-15T10:00:00.000Z" },
    { c_count: 7, c_note: "beta invoice", c_when: "2026-01-20T10:00:00.000Z" },
    { c_count: 11, c_note: "gamma order", c_when: "2026-02-03T10:00:00.000Z" },
    { c_note: "no count", c_when: null },
  ].map((values) => ({ transition: "add", app_alias: "PROBE", ...values }));
  for (const item of (await api.post("/api/tickets/multi", items)).json()) expect(item.successful).toBe(true);
});
afterAll(async () => {
  await client?.close();
  await api.close();
});

describe("MCP endpoint", () => {
  it("refuses a client without credentials or with a wrong token", async () => {
    await expect(connect({})).rejects.toThrow(/401|unauthorized/i);
    await expect(connect({ authorization: "CMW_AUTH_CODE wrong" })).rejects.toThrow(/401|unauthorized/i);
  });

  it("goes through the same per-app access check as the REST API", async () => {
    const { createToken } = await import("../../runtime/server/auth.ts");
    const outsider = await connect({
      authorization: `CMW_AUTH_CODE ${await createToken(api.store, { id: "mcp-outsider" })}`,
    });
    const record = (await call("list_records", { app: "PROBE", limit: 1 })).data[0];
    expect(record.slug).toMatch(/^DEMO\/PROBE\d+$/);
    await api.store.directory.saveGroup("probe-readers");
    await api.store.directory.grant({
      workspace: "DEMO",
      app: "PROBE",
      group: "probe-readers",
      permission: "read",
    });
    try {
      for (const [name, args] of [
        ["list_records", { app: "PROBE" }],
        ["get_record", { reference: record.slug }],
        ["aggregate_records", { app: "PROBE", dimensions: [] }],
        ["update_record", { reference: record.slug, fields: { c_note: "x" } }],
      ] as const) {
        const answer = (await outsider.callTool({ name, arguments: args })) as ToolAnswer;
        expect(answer.isError).toBe(true);
        expect(JSON.parse(answer.content[0].text!).error.code).toBe("forbidden");
      }
      const all = (await outsider.callTool({
        name: "search_records",
        arguments: { query: "invoice" },
      })) as ToolAnswer;
      expect(JSON.parse(all.content[0].text!)).toEqual([]);
    } finally {
      await api.store.directory.revoke({
        workspace: "DEMO",
        app: "PROBE",
        group: "probe-readers",
        permission: "read",
      });
      await outsider.close();
    }
  });

  it("lists the vendor's tool names, each with an input schema and a description", async () => {
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(
      [
        "aggregate_history",
        "aggregate_records",
        "create_record",
        "get_app_schema",
        "get_asset",
        "get_record",
        "get_workspace",
        "list_history",
        "list_records",
        "list_workspaces",
        "search_records",
        "update_record",
        "whoami",
      ].sort(),
    );
    for (const tool of tools) {
      expect(tool.inputSchema.type).toBe("object");
      expect(tool.description!.length).toBeGreaterThan(40);
    }
    const list = tools.find((t) => t.name === "list_records")!;
    expect(Object.keys(list.inputSchema.properties ?? {})).toEqual(
      expect.arrayContaining(["workspace", "app", "filter", "fields", "sort", "limit", "skip", "list"]),
    );
    expect(list.annotations?.readOnlyHint).toBe(true);
    expect(tools.find((t) => t.name === "update_record")!.annotations?.readOnlyHint).toBe(false);
  });

  it("answers who the caller is and what the workspace holds, as the REST API does", async () => {
    const common = await rest("/api/common");
    expect(await call("whoami")).toMatchObject({ ...common.user, workspace: "DEMO", time_zone: "UTC" });
    expect(await call("list_workspaces")).toEqual([{ alias: "DEMO", name: "DEMO", apps: 1 }]);
    const project = await rest("/api/projects/DEMO!WORKSPACE");
    const workspace = await call("get_workspace", { alias: "demo" });
    expect(workspace.apps.map(({ record_count: _n, ...app }: any) => app)).toEqual(project.apps);
    const schema = await rest("/api/schema/DEMO!PROBE");
    expect(await call("get_app_schema", { app: "probe" })).toMatchObject({
      workspace: schema.workspace,
      app: schema.app,
      app_id: schema.app_id,
      titlePlural: schema.titlePlural,
    });
    expect((await callError("get_workspace", { alias: "OTHER" })).code).toBe("not_found");
    expect((await callError("get_app_schema", { app: "NOPE" })).code).toBe("not_found");
  });

  it("lists records with a filter, fields, sort and paging exactly as tickets/list", async () => {
    const viaMcp = await call("list_records", {
      app: "PROBE",
      filter: 'c_note~"invoice"',
      fields: ["c_count"],
      sort: "c_count desc",
      limit: 1,
      skip: 1,
    });
    const viaRest = await rest("/api/w/DEMO/a/PROBE/tickets/list?withTechnicalData=true", {
      rlx: 'c_note~"invoice"',
      listOfFields: "c_count",
      sortBy: "c_count desc",
      limitRecords: 1,
      skipRecords: 1,
    });
    expect({ ...viaMcp, data: viaMcp.data.map(rested) }).toEqual(viaRest);
    expect(viaMcp.data).toHaveLength(1);
    expect(viaMcp.data[0].c_count).toBe(5);
    expect(viaMcp.filteredRecordsCount).toBe(2);
    const bad = await callError("list_records", { app: "PROBE", filter: 'c_count>>"' });
    expect(bad.code).toBe("bad_request");
    expect(bad.message).toMatch(/position/);
  });

  it("searches and gets records as the REST API does", async () => {
    const found = await call("search_records", { query: "gamma" });
    expect(found.map(rested)).toEqual(await rest("/api/tickets/search", { query: "gamma" }));
    expect(found.map((r: any) => r.c_note)).toEqual(["gamma order"]);
    const { actions: _a, history, ...record } = await call("get_record", { reference: found[0].slug });
    expect(record).toEqual(found[0]);
    expect(history.map((h: any) => h.transition)).toEqual(["add"]);
    expect((await callError("get_record", { reference: randomUUID() })).code).toBe("not_found");
  });

  it("aggregates counts and a metric's sum, avg, min and max, grouped by a field or by month", async () => {
    const all = (await rest("/api/w/DEMO/a/PROBE/tickets/list", { limitRecords: 1000 })) as any[];
    const counts = all.map((r) => r.c_count).filter((n) => typeof n === "number");
    const total = await call("aggregate_records", { app: "PROBE", metric_field: "c_count" });
    expect(total).toEqual({
      total: all.length,
      groups: [
        {
          count: all.length,
          sum: counts.reduce((a, b) => a + b, 0),
          avg: counts.reduce((a, b) => a + b, 0) / counts.length,
          min: Math.min(...counts),
          max: Math.max(...counts),
        },
      ],
    });
    const invoices = await call("aggregate_records", {
      app: "PROBE",
      metric_field: "c_count",
      filter: 'c_note~"invoice"',
    });
    expect(invoices.groups[0].max).toBe(7);
    const byMonth = await call("aggregate_records", {
      app: "PROBE",
      dimensions: ["c_when"],
      metric_field: "c_count",
    });
    const expected = new Map<string | null, number>();
    for (const r of all) {
      const month = r.c_when ? String(r.c_when).slice(0, 7) : null;
      expected.set(month, (expected.get(month) ?? 0) + (r.c_count ?? 0));
    }
    expect(byMonth.groups.map((g: any) => [g.c_when, g.sum])).toEqual(
      [...expected.entries()].sort((a, b) => (a[0] === null ? 1 : b[0] === null ? -1 : a[0] < b[0] ? -1 : 1)),
    );
    expect(
      (await callError("aggregate_records", { app: "PROBE", metric_field: "c_missing" })).message,
    ).toMatch(/c_missing/);
  });

  it("creates and updates records and fires actions with their logic; history matches tickets/history", async () => {
    const created = await call("create_record", { app: "PROBE", fields: { title: "via mcp", c_count: 1 } });
    expect(created).toMatchObject({
      successful: true,
      created: true,
      record: { title: "via mcp", c_count: 1 },
    });
    const reference = created.slug;
    const id = created.record.id;
    const edited = await call("update_record", { reference, fields: { c_note: "edited" } });
    expect(edited).toMatchObject({ successful: true, updated: true, record: { c_note: "edited" } });
    const fired = await call("update_record", { reference, action: "increment" });
    expect(fired.record.c_count).toBe(2);
    expect(fired.logs.map((l: any) => l.message)).toContain("count is now 2");
    const [viaRest] = await rest("/api/w/DEMO/a/PROBE/tickets/list", { rlx: `id="${id}"` });
    const { actions: _a, history: _h, ...record } = await call("get_record", { reference });
    expect(stable(rested(record))).toEqual(stable(viaRest));
    const history = await call("list_history", { reference });
    const viaRestHistory = await rest("/api/tickets/history", { id });
    expect(history.map((h: any) => [h.transition, h.changes])).toEqual(
      viaRestHistory.reverse().map((h: any) => [h.transition, h.changes]),
    );
    expect(history.map((h: any) => h.transition)).toEqual(["increment", "edit", "add"]);
  });

  it("returns a failing action as a tool error with our code and writes nothing", async () => {
    const created = await call("create_record", { app: "PROBE", fields: { c_note: "before" } });
    const reference = created.slug;
    const before = await call("get_record", { reference });
    const error = await callError("update_record", {
      reference,
      action: "throw_error",
      fields: { c_count: 99 },
    });
    expect(error.code).toBe("logic_error");
    expect(error.message).toMatch(/missing/);
    expect(stable(await call("get_record", { reference }))).toEqual(stable(before));
    expect((await call("list_history", { reference })).map((h: any) => h.transition)).toEqual(["add"]);
    expect((await callError("update_record", { reference, action: "no_such_action" })).code).toBe(
      "unknown_action",
    );
  });

  it("aggregates history by transition, user and day", async () => {
    const byTransition = await call("aggregate_history", { dimensions: ["transition"], app: "PROBE" });
    const all = await api.store.historyQuery({ workspace: "DEMO", app: "PROBE" });
    const expected = new Map<string, number>();
    for (const h of all) expected.set(h.transition, (expected.get(h.transition) ?? 0) + 1);
    expect(byTransition.groups).toEqual(
      [...expected.entries()]
        .sort((a, b) => (a[0] < b[0] ? -1 : 1))
        .map(([transition, count]) => ({ transition, count })),
    );
    expect((await call("aggregate_history", { dimensions: ["version_account"] })).groups).toEqual([
      { version_account: "alice", version_account__label: "Alice", count: all.length },
    ]);
    const today = new Date().toISOString().slice(0, 10);
    const sinceToday = await call("aggregate_history", { filter: `version_timestamp>="${today}"` });
    expect(sinceToday.total).toBe(all.length);
    expect(await call("aggregate_history", { filter: 'version_timestamp<"2000-01-01"' })).toEqual({
      total: 0,
      groups: [],
    });
  });

  it("gets a stored file's metadata, and its bytes inline when small", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mcp-asset-"));
    const files = [
      { bytes: Buffer.from("hello, assistant"), name: "hello.txt", type: "text/plain" },
      { bytes: Buffer.alloc(1024 * 1024 + 1, 7), name: "big.bin", type: "application/octet-stream" },
    ].map((f) => {
      const path = join(dir, f.name);
      writeFileSync(path, f.bytes);
      return {
        ...f,
        write: {
          id: randomUUID(),
          fileName: f.name,
          contentType: f.type,
          size: f.bytes.length,
          sha256: createHash("sha256").update(f.bytes).digest("hex"),
          sourcePath: path,
        },
      };
    });
    // Files follow their record: unattached, they are the uploader's (the client's user, alice).
    await api.store.commit({
      workspace: "DEMO",
      actor: "alice",
      action: "upload",
      runId: randomUUID(),
      writes: [],
      files: files.map((f) => f.write),
    });
    const [small, big] = files;
    const answer = (await client.callTool({
      name: "get_asset",
      arguments: { content_id: small.write.id },
    })) as ToolAnswer;
    expect(JSON.parse(answer.content[0].text!)).toMatchObject({
      file_uid: small.write.id,
      name: "hello.txt",
      content_type: "text/plain",
      size: small.bytes.length,
      embedded: true,
    });
    expect(answer.content[1].resource.mimeType).toBe("text/plain");
    expect(answer.content[1].resource.text).toBe("hello, assistant");
    const large = (await client.callTool({
      name: "get_asset",
      arguments: { content_id: big.write.id },
    })) as ToolAnswer;
    expect(JSON.parse(large.content[0].text!)).toMatchObject({ size: big.bytes.length, embedded: false });
    expect(large.content).toHaveLength(1);
    expect((await callError("get_asset", { content_id: randomUUID() })).code).toBe("not_found");
  });
});
