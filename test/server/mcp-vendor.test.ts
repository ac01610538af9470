/**
 * Issue 25: the MCP tools called the way the vendor's own assistant skills call them (argument
 * names of ../shared/COMIND-API.md), with the official SDK client over real HTTP, on both store
 * engines. Each tool's answer is checked for its content: slugs, lookups by caption, people by
 * name, links by slug, comments in the history, groups of aggregations.
 */
import { createHash, randomUUID } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { mcpCalls, type ToolAnswer } from "../helpers/mcp-calls.ts";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openStore } from "../../runtime/store/index.ts";
import { ENGINES } from "../helpers/engines.ts";
import { FIXTURE_APPS } from "../helpers/runtime.ts";
import { startApi, type TestServerApi } from "../helpers/server.ts";

for (const engine of ENGINES) {
  describe(`MCP as the vendor's clients call it (${engine.name})`, () => {
    let api: TestServerApi;
    let base: string;
    let client: Client;
    let cleanup: () => Promise<void>;

    const { call, callError } = mcpCalls(() => client);

    const titles = (records: { title: string }[]) => records.map((record) => record.title);

    beforeAll(async () => {
      const created = await engine.create();
      cleanup = created.cleanup;
      const store = created.options.databaseUrl ? await openStore(created.options) : undefined;
      api = await startApi([join(FIXTURE_APPS, "app-desk"), join(FIXTURE_APPS, "app-probe")], {
        runtime: store ? { store } : {},
      });
      const directory = api.store.directory;
      const user = { companyId: null, isGlobalAdmin: false };
      await directory.saveUser({
        ...user,
        id: "alice",
        email: "alice@acme.test",
        name: "Alice Smith",
        timeZone: "Europe/Berlin",
      });
      await directory.saveUser({
        ...user,
        id: "bob",
        email: "bob@acme.test",
        name: "Bob Jones",
        timeZone: null,
      });
      await directory.saveUser({
        ...user,
        id: "root",
        email: null,
        name: "Root Admin",
        timeZone: null,
        isGlobalAdmin: true,
      });
      base = await api.server.listen({ port: 0, host: "127.0.0.1" });
      client = new Client({ name: "vendor-skill-replay", version: "1.0.0" });
      await client.connect(
        new StreamableHTTPClientTransport(new URL(`${base}/mcp`), { requestInit: { headers: api.auth } }),
      );
    });
    afterAll(async () => {
      await client?.close();
      await api?.close();
      await cleanup?.();
    });

    it("lists the 13 tools with exactly the vendor's argument names, and nothing else", async () => {
      const { tools } = await client.listTools();
      const args = Object.fromEntries(
        tools.map((t) => [t.name, Object.keys(t.inputSchema.properties ?? {}).sort()]),
      );
      expect(args).toEqual({
        whoami: [],
        list_workspaces: [],
        get_workspace: ["alias"],
        get_app_schema: ["app", "workspace"],
        search_records: ["app", "limit", "query", "skip", "workspace"],
        list_records: ["app", "fields", "filter", "limit", "list", "skip", "sort", "workspace"],
        get_record: ["reference"],
        list_history: ["app", "filter", "limit", "reference", "workspace"],
        aggregate_records: ["app", "dimensions", "filter", "metric_field", "workspace"],
        aggregate_history: ["app", "dimensions", "filter", "workspace"],
        create_record: ["app", "fields", "workspace"],
        update_record: ["action", "comment", "fields", "reference"],
        get_asset: ["content_id"],
      });
      for (const tool of tools) expect(tool.inputSchema.additionalProperties).toBe(false);
    });

    it("answers a wrong or unknown argument with an error naming the right one, never ignoring it", async () => {
      const cases: [string, Record<string, unknown>, RegExp][] = [
        ["list_records", { app: "TASK", rlx: 'state="open"' }, /no argument "rlx"; use "filter"/],
        ["list_records", { app: "TASK", sortBy: "title" }, /use "sort"/],
        ["list_records", { app: "TASK", filtr: 'state="open"' }, /did you mean "filter"/],
        ["list_records", { filter: 'state="open"' }, /needs the argument "app"/],
        ["list_records", { app: "TASK", limit: "ten" }, /"limit"/],
        ["get_record", { id: "x" }, /use "reference"/],
        ["update_record", { reference: "DEMO/TASK1", transition: "approve" }, /use "action"/],
        ["create_record", { app: "TASK", values: {} }, /use "fields"/],
        ["aggregate_records", { app: "TASK", groupBy: "state" }, /use "dimensions"/],
        ["aggregate_history", { groupBy: "transition" }, /use "dimensions"/],
        ["get_asset", { file_uid: "x" }, /use "content_id"/],
        ["get_workspace", { workspace: "DEMO" }, /use "alias"/],
      ];
      for (const [tool, args, message] of cases) {
        const error = await callError(tool, args);
        expect(error.code, tool).toBe("bad_request");
        expect(error.message, tool).toMatch(message);
      }
      expect((await callError("list_records", { app: "TASK", rlx: "x" })).message).toMatch(
        /takes: workspace, app, filter/,
      );
    });

    describe("records written and read by caption, name and slug", () => {
      let first: any;
      let second: any;

      it("create_record takes fields by caption, lookups by caption, people by name, links by slug", async () => {
        first = await call("create_record", {
          workspace: "DEMO",
          app: "TASK",
          fields: {
            Title: "New laptop",
            Priority: "High",
            keeper: "Bob Jones",
            Tags: "docs, bug",
            Due: "2026-03-20T09:30:00+02:00",
            "Start day": "2026-03-20",
            Notes: "**Need** it\n\nby Friday",
            Total: "1,200",
            Done: "no",
            state: "open",
            Assignees: ["Bob Jones", "alice"],
          },
        });
        expect(first).toMatchObject({ successful: true, created: true, slug: "DEMO/TASK1" });
        expect(first.url).toBe(`${base}/console/records/${first.record.id}`);
        expect(first.record).toMatchObject({
          slug: "DEMO/TASK1",
          number: 1,
          c_priority: "p3",
          c_priority__resolved: { caption: "High", position: 3 },
          c_keeper: "bob",
          c_tags: ["docs", "bug"],
          c_due: "2026-03-20T07:30:00.000Z",
          c_start: "2026-03-20",
          c_notes: "<p><strong>Need</strong> it</p><p>by Friday</p>",
          c_total: 1200,
          c_done: false,
          assignees_list: ["bob", "alice"],
        });
        second = await call("create_record", {
          app: "TASK",
          fields: {
            title: "Dock for the laptop",
            c_priority: "p1",
            Keeper: "alice@acme.test",
            Parent: "DEMO/TASK1",
            Related: ["DEMO/TASK1"],
            Tags: ["question"],
            Total: 80,
            Notes: "<p>kept as it is</p>",
            state: "open",
          },
        });
        expect(second.slug).toBe("DEMO/TASK2");
        expect(second.record).toMatchObject({
          c_parent: first.record.id,
          c_related: [first.record.id],
          c_keeper: "alice",
          c_notes: "<p>kept as it is</p>",
        });
        const probe = await call("create_record", { app: "PROBE", fields: { Note: "numbers are per app" } });
        expect(probe.slug).toBe("DEMO/PROBE1");
      });

      it("create_record refuses values it cannot place, naming what it takes", async () => {
        const refused: [Record<string, unknown>, RegExp][] = [
          [{ Priority: "Urgent" }, /"Urgent" is not one of "Low", "Normal", "High"/],
          [{ Colour: "red" }, /no field "Colour"; its fields are .*c_priority \("Priority"\)/],
          [{ Keeper: "Nobody Known" }, /no user is called "Nobody Known"/],
          [{ Parent: "DEMO/TASK999" }, /no record "DEMO\/TASK999"/],
          [{ Due: "2026-03-20T09:30:00" }, /time zone offset/],
          [{ Total: "many" }, /expects a number/],
        ];
        for (const [fields, message] of refused) {
          const error = await callError("create_record", { app: "TASK", fields: { title: "x", ...fields } });
          expect(error.code).toBe("validation_error");
          expect(error.message).toMatch(message);
        }
        expect((await callError("create_record", { workspace: "OTHER", app: "TASK", fields: {} })).code).toBe(
          "not_found",
        );
      });

      it("list_records honours filter, sort, limit, skip, fields and saved lists", async () => {
        const list = async (args: Record<string, unknown>) =>
          (await call("list_records", { workspace: "DEMO", app: "TASK", ...args })).data;
        expect(titles(await list({ filter: 'c_keeper="Bob Jones"' }))).toEqual(["New laptop"]);
        expect(titles(await list({ filter: 'c_keeper="{current-user}"' }))).toEqual(["Dock for the laptop"]);
        expect(titles(await list({ filter: 'c_parent="DEMO/TASK1"' }))).toEqual(["Dock for the laptop"]);
        expect(titles(await list({ filter: 'c_related="DEMO/TASK1"' }))).toEqual(["Dock for the laptop"]);
        expect(titles(await list({ filter: 'c_tags="docs"' }))).toEqual(["New laptop"]);
        expect(titles(await list({ filter: 'assignees_list="Bob Jones"' }))).toEqual(["New laptop"]);
        expect(titles(await list({ filter: 'assignees_list!="{current-user}"' }))).toEqual([
          "Dock for the laptop",
        ]);
        expect(titles(await list({ filter: 'c_tags in "question,bug":string[]', sort: "created" }))).toEqual([
          "New laptop",
          "Dock for the laptop",
        ]);
        expect(
          titles(await list({ filter: 'c_priority="High" OR c_total<100', sort: "c_total desc" })),
        ).toEqual(["New laptop", "Dock for the laptop"]);
        expect(titles(await list({ filter: 'state in "open,new":string[] AND c_total>1000' }))).toEqual([
          "New laptop",
        ]);
        expect(
          titles(
            await list({
              filter: 'creation_date>="2000-01-01" AND state!="closed"',
              sort: "priority desc",
              limit: 1,
            }),
          ),
        ).toEqual(["New laptop"]);
        expect(titles(await list({ sort: "priority desc", limit: 1, skip: 1 }))).toEqual([
          "Dock for the laptop",
        ]);
        const [slim] = await list({ fields: ["title", "Priority"], limit: 1 });
        expect(Object.keys(slim).sort()).toEqual(
          [
            "c_priority",
            "id",
            "number",
            "project_alias",
            "publishing_alias",
            "revision",
            "slug",
            "title",
            "transitions",
            "url",
          ].sort(),
        );
        expect(titles(await list({ list: "MINE" }))).toEqual(["Dock for the laptop"]);
        expect(await list({ list: "mine", filter: "c_total>1000" })).toEqual([]);
        expect((await callError("list_records", { app: "TASK", list: "NOPE" })).message).toMatch(
          /its lists are MINE, CLOSED/,
        );
        expect((await callError("list_records", { app: "TASK", filter: 'c_colour="red"' })).message).toMatch(
          /no field "c_colour"/,
        );
        expect((await callError("list_records", { app: "TASK", filter: 'state="open' })).code).toBe(
          "bad_request",
        );
        expect((await callError("list_records", { app: "TASK", sort: "title sideways" })).message).toMatch(
          /asc or desc/,
        );
        const counts = await call("list_records", { app: "TASK", filter: "c_total>1000" });
        expect([counts.filteredRecordsCount, counts.unfilteredRecordsCount]).toEqual([1, 2]);
      });

      it("search_records finds words and exact phrases and leaves out -words", async () => {
        const search = async (query: string) =>
          titles(await call("search_records", { query, workspace: "DEMO" }));
        expect((await search("laptop")).sort()).toEqual(["Dock for the laptop", "New laptop"]);
        expect(await search('"new laptop"')).toEqual(["New laptop"]);
        expect(await search("laptop -dock")).toEqual(["New laptop"]);
        expect((await callError("search_records", { query: "-laptop" })).message).toMatch(
          /at least one word/,
        );
      });

      it("update_record runs an action by caption with a comment; get_record shows it in the history", async () => {
        const approved = await call("update_record", {
          reference: "DEMO/TASK1",
          action: "Approve",
          comment: "Looks good, approved.",
        });
        expect(approved).toMatchObject({
          successful: true,
          updated: true,
          action: "approve",
          slug: "DEMO/TASK1",
        });
        expect(approved.record.state).toBe("approved");
        expect(approved.url).toBe(`${base}/console/records/${first.record.id}`);
        expect(approved.logs.map((l: any) => l.message)).toContain("approved New laptop");
        const edited = await call("update_record", {
          reference: "demo/task1",
          action: "edit",
          fields: { Priority: "Low" },
        });
        expect(edited.record.c_priority).toBe("p1");
        // A comment alone is a version of its own.
        const noted = await call("update_record", {
          reference: "DEMO/TASK1",
          comment: "Ordered from the usual shop.",
        });
        expect(noted.record.revision).toBe(edited.record.revision + 1);

        const record = await call("get_record", { reference: "DEMO/TASK1" });
        expect(record).toMatchObject({
          slug: "DEMO/TASK1",
          title: "New laptop",
          state: "approved",
          url: approved.url,
        });
        expect(record.actions).toEqual([
          { uid: "edit", caption: "Edit" },
          { uid: "approve", caption: "Approve" },
          { uid: "close", caption: "Mark done" },
        ]);
        expect(record.history.map((h: any) => [h.transition, h.comment, h.version_account_name])).toEqual([
          ["add", null, "Alice Smith"],
          ["approve", "Looks good, approved.", "Alice Smith"],
          ["edit", null, "Alice Smith"],
          ["edit", "Ordered from the usual shop.", "Alice Smith"],
        ]);
        expect(record.history[2].changes).toEqual([
          { field: "c_priority", old_value: "p3", new_value: "p1" },
        ]);
        expect(record.history_note).toBeUndefined();

        expect((await callError("update_record", { reference: "DEMO/TASK1", action: "Delete" })).code).toBe(
          "forbidden",
        );
        const unknown = await callError("update_record", { reference: "DEMO/TASK1", action: "Launch" });
        expect(unknown.code).toBe("unknown_action");
        expect(unknown.message).toMatch(/approve \("Approve"\), close \("Mark done"\)/);
        expect((await callError("get_record", { reference: "DEMO/TASK404" })).code).toBe("not_found");
      });

      it("get_record shows the first 10 and the last 40 changes of a long history", async () => {
        const edits = Array.from({ length: 55 }, (_, i) => ({
          transition: "edit",
          id: second.record.id,
          c_total: i,
        }));
        for (const item of (await api.post("/api/tickets/multi", edits)).json())
          expect(item.successful).toBe(true);
        const record = await call("get_record", { reference: "DEMO/TASK2" });
        const totals = record.history.map(
          (h: any) => h.changes.find((c: any) => c.field === "c_total")?.new_value,
        );
        expect(record.history).toHaveLength(50);
        expect(totals.slice(0, 10)).toEqual([80, 0, 1, 2, 3, 4, 5, 6, 7, 8]);
        expect(totals.slice(10)).toEqual(Array.from({ length: 40 }, (_, i) => i + 15));
        expect(record.history_note).toMatch(/first 10 and the last 40/);
      });

      it("list_history filters on version_account, version_timestamp, transition and comment, newest first", async () => {
        const history = (args: Record<string, unknown>) =>
          call("list_history", { workspace: "DEMO", ...args });
        const approvals = await history({ filter: 'transition="approve"' });
        expect(approvals.map((h: any) => [h.slug, h.comment, h.version_account])).toEqual([
          ["DEMO/TASK1", "Looks good, approved.", "alice"],
        ]);
        const mine = await history({
          app: "TASK",
          filter: 'version_account="Alice Smith" AND comment~"shop"',
        });
        expect(mine.map((h: any) => h.comment)).toEqual(["Ordered from the usual shop."]);
        const newest = await history({ limit: 2 });
        expect(newest.map((h: any) => h.slug)).toEqual(["DEMO/TASK2", "DEMO/TASK2"]);
        expect(newest[0].changes[0].new_value).toBe(54);
        // Midnight at +02:00 two UTC days ahead: after now at any time of day (one day ahead is
        // 22:00 UTC today, already past late in the evening).
        const later = await history({
          filter: `version_timestamp>="${new Date(Date.now() + 2 * 86_400_000).toISOString().slice(0, 10)}T00:00:00+02:00"`,
        });
        expect(later).toEqual([]);
        expect(
          await history({ filter: 'version_account="{current-user}" AND transition="add"', app: "PROBE" }),
        ).toHaveLength(1);
        expect((await history({ reference: "DEMO/TASK1" })).map((h: any) => h.transition)).toEqual([
          "edit",
          "edit",
          "approve",
          "add",
        ]);
        expect((await callError("list_history", { filter: 'state="open"' })).message).toMatch(
          /version_account, version_timestamp, transition, comment/,
        );
      });

      it("aggregate_records groups by several dimensions at once, with labels and a metric", async () => {
        const aggregate = (args: Record<string, unknown>) =>
          call("aggregate_records", { workspace: "DEMO", app: "TASK", ...args });
        expect((await aggregate({ dimensions: ["c_priority"] })).groups).toEqual([
          { c_priority: "p1", c_priority__label: "Low", count: 2 },
        ]);
        const byState = await aggregate({
          dimensions: ["state", "c_due__pivotbymonth"],
          metric_field: "c_total",
        });
        expect(byState).toEqual({
          total: 2,
          groups: [
            {
              state: "approved",
              c_due__pivotbymonth: "2026-03",
              count: 1,
              sum: 1200,
              avg: 1200,
              min: 1200,
              max: 1200,
            },
            { state: "open", c_due__pivotbymonth: null, count: 1, sum: 54, avg: 54, min: 54, max: 54 },
          ],
        });
        expect((await aggregate({ dimensions: ["c_start", "c_keeper_id"] })).groups).toEqual([
          { c_start: "2026-03", c_keeper_id: "bob", c_keeper_id__label: "Bob Jones", count: 1 },
          { c_start: null, c_keeper_id: "alice", c_keeper_id__label: "Alice Smith", count: 1 },
        ]);
        expect(
          (await aggregate({ dimensions: ["c_tags"], filter: 'c_keeper="Bob Jones"' })).groups.map(
            (g: any) => g.c_tags,
          ),
        ).toEqual(["bug", "docs"]);
        const week = await aggregate({ dimensions: ["creation_date__pivotbyweek"] });
        expect(week.groups[0].creation_date__pivotbyweek).toMatch(/^\d{4}-W\d{2}$/);
        expect(
          (await callError("aggregate_records", { app: "TASK", dimensions: ["c_colour"] })).message,
        ).toMatch(/no field "c_colour"/);
        expect(
          (await callError("aggregate_records", { app: "TASK", metric_field: "title" })).message,
        ).toMatch(/name a number field/);
      });

      it("aggregate_history counts changes per person, month, action and app", async () => {
        const month = new Date().toISOString().slice(0, 7);
        const byPerson = await call("aggregate_history", {
          workspace: "DEMO",
          dimensions: ["version_account", "version_timestamp__pivotbymonth"],
        });
        const all = await api.store.historyQuery({ workspace: "DEMO", limit: 10_000 });
        expect(byPerson).toEqual({
          total: all.length,
          groups: [
            {
              version_account: "alice",
              version_account__label: "Alice Smith",
              version_timestamp__pivotbymonth: month,
              count: all.length,
            },
          ],
        });
        const byApp = await call("aggregate_history", {
          dimensions: ["app", "transition"],
          filter: 'transition!="edit"',
        });
        expect(byApp.groups).toEqual([
          { app: "PROBE", transition: "add", count: 1 },
          { app: "TASK", transition: "add", count: 2 },
          { app: "TASK", transition: "approve", count: 1 },
        ]);
        expect((await call("aggregate_history", { dimensions: ["workspace"], app: "PROBE" })).groups).toEqual(
          [{ workspace: "DEMO", count: 1 }],
        );
      });
    });

    it("whoami, get_workspace and get_app_schema tell what the skills orient with", async () => {
      const me = await call("whoami");
      expect(me).toMatchObject({
        id: "alice",
        name: "Alice Smith",
        time_zone: "Europe/Berlin",
        system_url: base,
        workspace: "DEMO",
      });
      expect(me.recent_activity.length).toBe(10);
      expect(me.recent_activity[0]).toMatchObject({
        slug: "DEMO/TASK2",
        version_account: "alice",
        transition: "edit",
      });

      const workspace = await call("get_workspace", { alias: "demo" });
      expect(workspace.apps.map((a: any) => [a.alias, a.record_count])).toEqual([
        ["TASK", 2],
        ["PROBE", 1],
      ]);
      expect(workspace.members.admins.map((m: any) => m.name)).toEqual(["Root Admin"]);
      expect(workspace.members.participants.map((m: any) => m.name).sort()).toEqual([
        "Alice Smith",
        "Bob Jones",
      ]);
      const [firstChange] = await api.store.historyQuery({ workspace: "DEMO", limit: 1 });
      expect(workspace.created_at).toBe(firstChange.timestamp);
      expect((await callError("get_workspace", { alias: "OTHER" })).code).toBe("not_found");

      const schema = await call("get_app_schema", { workspace: "DEMO", app: "task" });
      const field = (name: string) => schema.fields.find((f: any) => f.name === name);
      expect(field("c_priority")).toEqual({
        name: "c_priority",
        caption: "Priority",
        type: "lookup",
        lookup_values: [
          { value: "p1", caption: "Low" },
          { value: "p2", caption: "Normal" },
          { value: "p3", caption: "High" },
        ],
      });
      expect(field("c_notes").rich_text).toBe(true);
      expect(field("description").rich_text).toBe(true);
      expect(field("creation_date")).toMatchObject({ type: "datetime", read_only: true });
      expect(schema.actions).toContainEqual({ uid: "close", caption: "Mark done" });
      expect(schema.lists.map((l: any) => [l.alias, l.caption])).toEqual([
        ["MINE", "My open tasks"],
        ["CLOSED", "Closed"],
      ]);
    });

    it("get_asset finds an attached file by its attachment slug, and gives text back as text", async () => {
      const dir = mkdtempSync(join(tmpdir(), "mcp-vendor-asset-"));
      const bytes = Buffer.from("serial number: 42\n");
      const path = join(dir, "serial.txt");
      writeFileSync(path, bytes);
      const fileId = randomUUID();
      await api.store.commit({
        workspace: "DEMO",
        actor: "alice",
        action: "upload",
        runId: randomUUID(),
        writes: [],
        files: [
          {
            id: fileId,
            fileName: "serial.txt",
            contentType: "text/plain",
            size: bytes.length,
            sha256: createHash("sha256").update(bytes).digest("hex"),
            sourcePath: path,
          },
        ],
      });
      const number = (await api.store.getFile(fileId))!.number;
      expect(number).toBeGreaterThan(0);
      const slug = `DEMO/ATTACHMENT${number}`;
      await call("update_record", {
        reference: "DEMO/TASK1",
        fields: { Attachments: [{ file_uid: fileId, title: "serial" }] },
      });
      const record = await call("get_record", { reference: "DEMO/TASK1" });
      expect(record.attachments).toEqual([{ file_uid: fileId, title: "serial", slug }]);
      for (const contentId of [slug, fileId, `cmwid:${fileId}`]) {
        const answer = (await client.callTool({
          name: "get_asset",
          arguments: { content_id: contentId },
        })) as ToolAnswer;
        expect(JSON.parse(answer.content[0].text!)).toMatchObject({
          file_uid: fileId,
          slug,
          name: "serial.txt",
          embedded: true,
        });
        expect(answer.content[1].resource.text).toBe("serial number: 42\n");
      }
      expect((await callError("get_asset", { content_id: `DEMO/ATTACHMENT${number! + 1000}` })).code).toBe(
        "not_found",
      );
      expect((await callError("get_asset", { content_id: `OTHER/ATTACHMENT${number}` })).code).toBe(
        "not_found",
      );
    });

    it("answers a link to a record the caller may not read like a link to no record", async () => {
      const { createToken } = await import("../../runtime/server/auth.ts");
      const carol = new Client({ name: "carol", version: "1.0.0" });
      const token = await createToken(api.store, { id: "carol", name: "Carol" });
      await carol.connect(
        new StreamableHTTPClientTransport(new URL(`${base}/mcp`), {
          requestInit: { headers: { authorization: `CMW_AUTH_CODE ${token}` } },
        }),
      );
      const grant = { workspace: "DEMO", app: "PROBE", group: "probe-readers", permission: "read" as const };
      await api.store.directory.saveGroup("probe-readers");
      await api.store.directory.grant(grant);
      try {
        const create = async (parent: string) => {
          const answer = (await carol.callTool({
            name: "create_record",
            arguments: { app: "TASK", fields: { title: "probe link", Parent: parent } },
          })) as ToolAnswer;
          expect(answer.isError).toBe(true);
          return JSON.parse(answer.content[0].text!).error;
        };
        const hidden = await create("DEMO/PROBE1");
        const missing = await create("DEMO/PROBE999");
        expect(hidden.code).toBe("validation_error");
        expect(hidden.message.replace("PROBE1", "PROBE999")).toBe(missing.message);
      } finally {
        await api.store.directory.revoke(grant);
        await carol.close();
      }
    });
  });
}
