// apps/app-helpdesk (documented Comind forms only) through the REST API on a real loopback socket:
// users and groups, per-app access, mass actions, action options, lookups, access passes, runAsUser.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { asDeveloper } from "../../runtime/index.ts";
import { join } from "node:path";
import { createToken } from "../../runtime/server/auth.ts";
import { EXAMPLE_APPS } from "../helpers/runtime.ts";
import { startApi, type TestServerApi } from "../helpers/server.ts";
import { ISSUER, startIssuer, type TestIssuer } from "../helpers/oidc-issuer.ts";

let api: TestServerApi;
let jwks: TestIssuer;
let base: string;
const tokens: Record<string, string> = {};

beforeAll(async () => {
  jwks = await startIssuer();
  api = await startApi([join(EXAMPLE_APPS, "app-helpdesk")], {
    server: { oidc: { issuer: ISSUER, jwksUrl: jwks.jwksUrl, skipAudience: true } },
  });
  const dir = api.store.directory;
  await dir.saveUser({
    id: "alice",
    email: "alice@acme.test",
    name: "Alice",
    timeZone: "Europe/Berlin",
    companyId: "acme",
    isGlobalAdmin: false,
  });
  await dir.saveUser({
    id: "bob",
    email: "bob@acme.test",
    name: "Bob",
    timeZone: null,
    companyId: null,
    isGlobalAdmin: false,
  });
  await dir.saveGroup("Support");
  await dir.addGroupMember("support", "alice");
  await dir.setWorkspaceAdmin("DEMO", "bob", true);
  tokens.alice = api.token;
  tokens.carol = await createToken(api.store, { id: "carol", name: "Carol" });
  tokens.bob = await createToken(api.store, { id: "bob" });
  base = await api.server.listen({ port: 0, host: "127.0.0.1" });
});
afterAll(async () => {
  await api.close();
  await jwks.close();
});

async function call(method: string, path: string, body?: unknown, who = "alice") {
  const authorization = who.startsWith("Bearer ") ? who : `CMW_AUTH_CODE ${tokens[who]}`;
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { authorization, ...(body === undefined ? {} : { "content-type": "application/json" }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as any };
}

const multi = (items: unknown[], who?: string) => call("POST", "/api/tickets/multi", items, who);

async function add(values: Record<string, unknown>, who = "alice") {
  const { json } = await multi([{ transition: "add", app_alias: "HELPDESK", ...values }], who);
  expect(json[0].successful).toBe(true);
  return json[0].data as Record<string, any>;
}

const action = (uid: string, body: unknown, who = "alice") =>
  call("POST", `/api/apps/DEMO/HELPDESK/actions/${uid}`, body, who);

describe("currentUser from the store's users and groups", () => {
  it("shows the profile, groups, admin rights and the people-field checks", async () => {
    const ticket = await add({ title: "Who" });
    const { json } = await action("whoami", { id: ticket.id });
    expect(json.ok).toBe(true);
    // email|timeZone|companyId|isGlobalAdmin|isWorkspaceAdmin|isInAnyOfGroups|isInField|isDefaultUnAuthUser|isWorkspaceAdminOf|admins|alias
    expect(json.entity.c_note).toBe(
      "alice@acme.test|Europe/Berlin|acme|false|false|true|true|false|false|bob|HELPDESK",
    );
    expect(json.entity.c_owner).toBe("alice");
  });

  it("makes a workspace admin an admin of that workspace only", async () => {
    const ticket = await add({ title: "Bob" }, "bob");
    const { json } = await action("whoami", { id: ticket.id }, "bob");
    expect(json.entity.c_note.split("|").slice(3, 9)).toEqual([
      "false",
      "true",
      "false",
      "true",
      "false",
      "true",
    ]);
  });

  it("fills a Bearer caller from the JWT claims email, name, groups and zoneinfo", async () => {
    const jwt = await jwks.sign(
      {
        sub: "dana",
        name: "Dana",
        email: "dana@idp.test",
        groups: ["support"],
        zoneinfo: "America/New_York",
      },
      (token) => token.setExpirationTime("5m"),
    );
    const ticket = await add({ title: "Dana" });
    const { json } = await action("whoami", { id: ticket.id }, `Bearer ${jwt}`);
    expect(json.entity.c_note.split("|").slice(0, 2)).toEqual(["dana@idp.test", "America/New_York"]);
    expect(json.entity.c_note.split("|")[5]).toBe("true");
  });
});

describe("preconditions and action options", () => {
  it("lets only the support group escalate (precondition on currentUser.isInGroup)", async () => {
    const ticket = await add({ title: "Broken", c_score: 1 });
    const refused = await action("escalate", { id: ticket.id }, "carol");
    expect(refused.status).toBe(403);
    expect(refused.json.error.code).toBe("precondition_failed");
    const { json } = await action("escalate", { id: ticket.id });
    expect(json.entity).toMatchObject({ c_escalated: true, c_score: 11 });
    expect(json.entity.assignees_list).toEqual(["group:support", "metagroup:workspace_admins"]);
    expect(json.entity.c_note).toMatch(/^escalated by Alice in escalate; \d+ already escalated$/);
  });

  it("refuses a mass run of an action with showAsMassAction: false", async () => {
    const a = await add({ title: "M1" });
    const b = await add({ title: "M2" });
    const { status, json } = await action("escalate", { ids: [a.id, b.id] });
    expect(status).toBe(400);
    expect(json.error.message).toMatch(/showAsMassAction/);
  });

  it("writes no history entry for an action with skipAuditTrail", async () => {
    const ticket = await add({ title: "Quiet", c_score: 5 });
    const before = await api.store.history("DEMO", ticket.id);
    const { json } = await action("touch", { id: ticket.id });
    expect(json.entity.c_score).toBe(6);
    expect(await api.store.history("DEMO", ticket.id)).toEqual(before);
  });

  it("hides an action with visible: false from users (no transition, REST refuses) but logic may run it", async () => {
    const ticket = await add({ title: "Hidden" });
    expect(ticket.transitions).not.toContain("recount");
    expect(ticket.transitions).toContain("touch");
    const { status, json } = await action("recount", { id: ticket.id });
    expect(status).toBe(403);
    expect(json.error.code).toBe("forbidden");
    const run = await api.runtime.run({
      caller: asDeveloper(),
      app: "HELPDESK",
      action: "recount",
      recordId: ticket.id,
    });
    expect(run.ok && (run.entity.c_score as number) > 0).toBe(true);
  });
});

describe("mass actions", () => {
  it("runs once over `records` for tickets/multi ids, in one transaction", async () => {
    const ids = [
      (await add({ title: "A" })).id,
      (await add({ title: "B" })).id,
      (await add({ title: "C" })).id,
    ];
    const { json } = await multi([{ transition: "close_selected", ids }]);
    expect(json[0].successful).toBe(true);
    expect(json[0].data.map((r: any) => [r.id, r.state, r.c_note])).toEqual(
      ids.map((id) => [id, "closed", "closed with 2 other(s)"]),
    );
    const runs = new Set();
    for (const id of ids) runs.add((await api.store.history("DEMO", id)).at(-1)!.runId);
    expect(runs.size).toBe(1);
  });

  it("writes nothing when one of the records is missing", async () => {
    const a = await add({ title: "Stay open" });
    const { status, json } = await multi([{ transition: "close_selected", ids: [a.id, "no-such-id"] }]);
    expect(status).toBe(404); // the batch's only item failed
    expect(json.results[0].successful).toBe(false);
    expect((await api.store.getRecord("DEMO", a.id))!.fields.state).toBeNull();
  });
});

describe("documented ComindServer forms", () => {
  it("bulk-creates, queries by rlx with fields and sortBy, and caches *Cached for the action", async () => {
    const ticket = await add({ title: "Importer" });
    const { json } = await action("import_batch", { id: ticket.id });
    expect(json.entity.c_note).toBe("cached 0/0, fresh 2 (Imported B), first Imported B, created 2");
    const stored = await api.store.findRecords({
      workspace: "DEMO",
      app: "HELPDESK",
      where: { c_note: "imported" },
    });
    expect(stored).toHaveLength(2);
  });

  it("bulk-deletes what a params-object query found", async () => {
    await add({ title: "Old", state: "closed" });
    const ticket = await add({ title: "Purger" });
    const closedBefore = await api.store.countRecords({
      workspace: "DEMO",
      app: "HELPDESK",
      where: { state: "closed" },
    });
    const { json } = await action("purge_closed", { id: ticket.id });
    expect(json.entity.c_note).toBe(`purged ${closedBefore}`);
    expect(
      await api.store.countRecords({ workspace: "DEMO", app: "HELPDESK", where: { state: "closed" } }),
    ).toBe(0);
  });

  it("resolves and matches lookups, and the API shows field__resolved", async () => {
    const parent = await add({ title: "Parent ticket", c_priority: "p1" });
    expect(parent.c_priority__resolved).toEqual({ caption: "Low", position: 1 });
    const child = await add({
      title: "Child",
      c_priority: "p1",
      c_parent: parent.id,
      c_tags: ["bug", "billing"],
    });
    const { json } = await action("classify", { id: child.id });
    expect(json.entity.c_note).toBe(`Low -> High (3); parent Parent ticket; was Low`);
    expect(json.entity.c_priority__resolved).toEqual({ caption: "High", position: 3 });
    expect(json.entity.c_tags__resolved).toEqual([
      { caption: "bug", position: 2 },
      { caption: "billing", position: 1 },
    ]);
  });

  it("creates and updates as another user (runAsUser), whose currentUser the nested logic sees", async () => {
    const ticket = await add({ title: "Delegating" });
    const { json } = await action("delegate", { id: ticket.id });
    expect(json.ok).toBe(true);
    const [childId] = json.entity.c_related;
    const child = await api.store.getRecord("DEMO", childId);
    expect(child!.fields).toMatchObject({
      c_owner: "bob",
      c_parent: ticket.id,
      title: "Follow-up of Delegating",
    });
  });
});

describe("plugins", () => {
  it("runs the @comind/plugin-helpdesk-sla dependency's add logic and serves its field", async () => {
    expect(api.runtime.apps.has("HELPDESK")).toBe(true);
    const ticket = await add({ title: "Urgent", c_priority: "p3" });
    expect(ticket.c_sla_due).toBe("2030-01-01T04:00:00.000Z");
    expect(ticket.c_priority__resolved).toEqual({ caption: "High", position: 3 });
    const schema = (await call("GET", "/api/schema/DEMO!HELPDESK")).json;
    expect(schema.fields.map((f: { name: string }) => f.name)).toContain("c_sla_due");
  });
});

describe("access passes", () => {
  it("lets anyone holding the pass read that one record, and nothing else", async () => {
    const ticket = await add({ title: "Shared", c_customer_email: "c@x.test" });
    const { json } = await action("share", { id: ticket.id });
    const token = json.entity.c_share_link as string;
    const res = await fetch(`${base}/api/access-pass?pass=${token}`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ id: ticket.id, title: "Shared" });
    // The pass is not an API credential.
    const asAuth = await fetch(`${base}/api/common`, {
      headers: { authorization: `CMW_AUTH_CODE ${token}` },
    });
    expect(asAuth.status).toBe(401);
    const forged = await fetch(`${base}/api/access-pass?pass=${token.slice(0, -2)}xx`);
    expect(forged.status).toBe(401);
    expect(((await forged.json()) as any).error.code).toBe("unauthorized");
    // A pass cannot be turned into one for another record: the signature covers the id.
    const other = await add({ title: "Private" });
    const [header, payload, signature] = token.split(".");
    const claims = JSON.parse(Buffer.from(payload, "base64url").toString());
    const swapped = Buffer.from(JSON.stringify({ ...claims, sub: other.id })).toString("base64url");
    expect((await fetch(`${base}/api/access-pass?pass=${header}.${swapped}.${signature}`)).status).toBe(401);
  });
});

describe("per-app permissions given to groups", () => {
  it("once configured, refuses users outside the groups, over REST and for runAsUser", async () => {
    const ticket = await add({ title: "Before lock-down" });
    await api.store.directory.grant({
      workspace: "DEMO",
      app: "HELPDESK",
      group: "support",
      permission: "read",
    });
    await api.store.directory.grant({
      workspace: "DEMO",
      app: "HELPDESK",
      group: "support",
      permission: "write",
    });
    try {
      const list = await call("POST", "/api/w/DEMO/a/HELPDESK/tickets/list", {}, "carol");
      expect(list.status).toBe(403);
      expect(list.json.error.code).toBe("forbidden");
      const all = await call("POST", "/api/tickets/list", {}, "carol");
      expect(all.json).toEqual([]);
      const edit = await multi([{ transition: "edit", id: ticket.id, title: "x" }], "carol");
      expect(edit.status).toBe(403);
      expect(edit.json.results[0].error.code).toBe("forbidden");
      // support may read and write but was not given "run".
      expect((await call("POST", "/api/w/DEMO/a/HELPDESK/tickets/list", {})).status).toBe(200);
      const run = await action("touch", { id: ticket.id });
      expect(run.json.error.code).toBe("forbidden");
      // A workspace admin may do everything; bob (runAsUser in delegate) is one.
      expect((await action("touch", { id: ticket.id }, "bob")).json.ok).toBe(true);
      // alice's group may now run actions; delegate's runAsUser "bob" (no longer an admin) may not write.
      await api.store.directory.grant({
        workspace: "DEMO",
        app: "HELPDESK",
        group: "support",
        permission: "run",
      });
      await api.store.directory.setWorkspaceAdmin("DEMO", "bob", false);
      const delegated = await action("delegate", { id: ticket.id });
      expect(delegated.json.ok).toBe(false);
      expect(delegated.json.error.code).toBe("forbidden");
      expect(delegated.json.error.message).toMatch(/bob may not change records of app HELPDESK/);
    } finally {
      await api.store.directory.setWorkspaceAdmin("DEMO", "bob", true);
      for (const permission of ["read", "write", "run"] as const)
        await api.store.directory.revoke({
          workspace: "DEMO",
          app: "HELPDESK",
          group: "support",
          permission,
        });
    }
    expect((await call("POST", "/api/w/DEMO/a/HELPDESK/tickets/list", {}, "carol")).status).toBe(200);
  });
});
