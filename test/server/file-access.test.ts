/**
 * Files follow their record (issue 22): `/api/download/{uid}`, MCP `get_asset` and logic's
 * `Files.getFileRef` serve a file only to those who may read a record it is attached to, and to
 * its uploader while no record holds it; everyone else gets `not_found`, as for a uid that does not
 * exist. Also: `/api/schema`, MCP `get_app_schema` need read, and app lists show readable apps only.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { asDeveloper } from "../../runtime/index.ts";
import { createToken } from "../../runtime/server/auth.ts";
import { TOOLS } from "../../runtime/server/mcp/tools.ts";
import type { ServerContext } from "../../runtime/server/context.ts";
import { serverContext } from "../../runtime/server/index.ts";
import { resolveUser } from "../../runtime/access/index.ts";
import { startApi, type TestServerApi } from "../helpers/server.ts";
import { removeTempApps, writeTempApp } from "../helpers/temp-app.ts";

/** Logic that reads the file whose uid is in c_text and writes its size back. */
const PEEK = {
  "actions/index.ts": 'export default [{ uid: "peek", caption: "Peek" }] as const;\n',
  "actions/logic/index.ts":
    'import { entity } from "#typings";\nexport default { peek() { entity.c_text = "size:" + Files.getFileRef(String(entity.c_text)).size; } };\n',
};
const app = (alias: string, dependsOn: string[] = []) =>
  writeTempApp(
    {
      ...PEEK,
      "package.json": JSON.stringify({
        name: alias.toLowerCase(),
        comindApp: { publishingAlias: alias, dependsOn },
        imports: { "#typings": "./typings.ts" },
      }),
    },
    { alias },
  );

let api: TestServerApi;
const auth: Record<string, { authorization: string }> = {};

beforeAll(async () => {
  api = await startApi([app("VAULT"), app("OTHER"), app("FRIEND", ["VAULT"])]);
  const directory = api.store.directory;
  // vault-readers read VAULT; the uploader may write VAULT but not read it; other-readers read OTHER.
  for (const [group, appAlias, permissions] of [
    ["vault-readers", "VAULT", ["read", "write", "run"]],
    ["vault-writers", "VAULT", ["write", "run"]],
    ["other-readers", "OTHER", ["read", "write", "run"]],
  ] as const) {
    await directory.saveGroup(group);
    for (const permission of permissions)
      await directory.grant({ workspace: "DEMO", app: appAlias, group, permission });
  }
  for (const [user, groups, isAdmin] of [
    ["reader", ["vault-readers"], false],
    ["uploader", ["vault-writers"], false],
    ["other", ["other-readers"], false],
    ["outsider", [], false],
    ["root", [], true],
  ] as const) {
    auth[user] = { authorization: `CMW_AUTH_CODE ${await createToken(api.store, { id: user, isAdmin })}` };
    for (const group of groups) await directory.addGroupMember(group, user);
  }
});
afterAll(async () => {
  await api?.close();
  removeTempApps();
});

/** A tus upload (create, then one PATCH) as `user`; returns the file uid. */
async function upload(user: string, bytes: Buffer): Promise<string> {
  const created = await api.server.inject({
    method: "POST",
    url: "/api/upload-tus",
    headers: {
      ...auth[user],
      "tus-resumable": "1.0.0",
      "upload-length": String(bytes.length),
      // A client cannot name someone else as the uploader.
      "upload-metadata": `filename ${Buffer.from("secret.txt").toString("base64")},comind_uploader ${Buffer.from("outsider").toString("base64")}`,
      "x-comind-internal-uploader": "outsider",
    },
  });
  expect(created.statusCode).toBe(201);
  const location = new URL(String(created.headers.location), "http://x").pathname;
  const done = await api.server.inject({
    method: "PATCH",
    url: location,
    payload: bytes,
    headers: {
      ...auth[user],
      "tus-resumable": "1.0.0",
      "upload-offset": "0",
      "content-type": "application/offset+octet-stream",
      "x-comind-internal-uploader": "outsider",
    },
  });
  expect(done.statusCode).toBe(204);
  return String(done.headers["comind-file-uid"]);
}

const download = (user: string, uid: string) => api.get(`/api/download/${uid}`, auth[user]);

const ctx = (): ServerContext =>
  serverContext({
    runtime: api.runtime,
    store: api.store,
    workspace: "DEMO",
    requestTimeoutMs: 10_000,
    dataDir: api.dataDir,
  });
async function tool(user: string, name: string, args: Record<string, unknown>) {
  const found = TOOLS.find((t) => t.name === name)!;
  const caller = {
    user: await resolveUser(api.store, "DEMO", { id: user }),
    caller: { id: user },
    deadline: Date.now() + 10_000,
    baseUrl: "http://127.0.0.1",
  };
  return found.run(ctx(), caller, args as never);
}

describe("files follow their record", () => {
  let uid: string;
  const bytes = Buffer.from("payroll 2030: confidential\n");

  it("an unattached upload is readable by its uploader (and admins) only", async () => {
    uid = await upload("uploader", bytes);
    expect((await api.store.getFile(uid))?.uploadedBy).toBe("uploader");
    expect((await download("uploader", uid)).rawPayload).toEqual(bytes);
    expect((await download("root", uid)).statusCode).toBe(200);
    for (const user of ["outsider", "other", "reader"]) {
      const res = await download(user, uid);
      expect(res.statusCode).toBe(404);
      expect(res.json().error.code).toBe("not_found");
      await expect(tool(user, "get_asset", { content_id: uid })).rejects.toMatchObject({ code: "not_found" });
    }
    expect((await tool("uploader", "get_asset", { content_id: uid })).json).toMatchObject({
      size: bytes.length,
    });
  });

  it("an upload in progress can be resumed, inspected or cancelled by its uploader only", async () => {
    const created = await api.server.inject({
      method: "POST",
      url: "/api/upload-tus",
      headers: { ...auth.uploader, "tus-resumable": "1.0.0", "upload-length": "10" },
    });
    expect(created.statusCode).toBe(201);
    const location = new URL(String(created.headers.location), "http://x").pathname;
    const tus = (user: string, method: "HEAD" | "PATCH" | "DELETE") =>
      api.server.inject({
        method,
        url: location,
        payload: method === "PATCH" ? Buffer.from("hijacked!!") : undefined,
        headers: {
          ...auth[user],
          "tus-resumable": "1.0.0",
          ...(method === "PATCH"
            ? { "upload-offset": "0", "content-type": "application/offset+octet-stream" }
            : {}),
        },
      });
    for (const user of ["other", "outsider", "reader"])
      for (const method of ["HEAD", "PATCH", "DELETE"] as const)
        expect(`${user} ${method} ${(await tus(user, method)).statusCode}`).toBe(`${user} ${method} 404`);
    const head = await tus("uploader", "HEAD");
    expect(head.statusCode).toBe(200);
    expect(head.headers["upload-offset"]).toBe("0");
    expect((await tus("root", "HEAD")).statusCode).toBe(200);
  });

  it("nobody else can attach it to a record of their own app to read it", async () => {
    const attached = await api.post(
      "/api/tickets/multi",
      [{ transition: "add", app_alias: "OTHER", attachments: [{ file_uid: uid, title: "mine now" }] }],
      auth.other,
    );
    expect(attached.statusCode).toBe(400);
    expect(attached.json().results[0].error.code).toBe("validation_error");
    // The same through the action endpoint and an async item: the front door checks every run.
    const viaAction = await api.post(
      "/api/apps/DEMO/OTHER/actions/add",
      { values: { attachments: [{ file_uid: uid, title: "mine now" }] } },
      auth.other,
    );
    expect(viaAction.json().error.code).toBe("validation_error");
    await expect(
      tool("other", "create_record", {
        app: "OTHER",
        fields: { attachments: [{ file_uid: uid, title: "mine now" }] },
      }),
    ).rejects.toMatchObject({ code: "validation_error" });
    expect(await api.store.fileHolders(uid)).toEqual([]);
  });

  it("once attached, it is readable by readers of the record's app, no longer by its uploader", async () => {
    const [item] = (
      await api.post(
        "/api/tickets/multi",
        [{ transition: "add", app_alias: "VAULT", attachments: [{ file_uid: uid, title: "payroll" }] }],
        auth.uploader,
      )
    ).json();
    expect(item.successful).toBe(true);
    expect((await download("reader", uid)).rawPayload).toEqual(bytes);
    expect((await download("root", uid)).statusCode).toBe(200);
    expect((await tool("reader", "get_asset", { content_id: uid })).json).toMatchObject({
      size: bytes.length,
    });
    // The uploader may write VAULT but not read it; a reader of another app; an outsider.
    for (const user of ["uploader", "other", "outsider"]) {
      const res = await download(user, uid);
      expect(res.statusCode).toBe(404);
      expect(res.json().error.code).toBe("not_found");
      await expect(tool(user, "get_asset", { content_id: uid })).rejects.toMatchObject({ code: "not_found" });
    }
  });

  it("logic reads it only from its own app or an app it dependsOn", async () => {
    const peek = (appAlias: string, user: string) =>
      api.runtime.run({
        app: appAlias,
        action: "peek",
        values: { c_text: uid },
        caller: asDeveloper({ id: user, isAdmin: true }),
      });
    const friend = await peek("FRIEND", "root");
    expect(friend.ok && friend.entity.c_text).toBe(`size:${bytes.length}`);
    const vault = await peek("VAULT", "root");
    expect(vault.ok && vault.entity.c_text).toBe(`size:${bytes.length}`);
    const other = await peek("OTHER", "root");
    expect(other.ok).toBe(false);
    expect(!other.ok && other.error.code).toBe("not_found");
  });

  it("logic reads an unattached file only in an action of its uploader", async () => {
    const loose = await upload("other", Buffer.from("draft"));
    const peek = (user: string) =>
      api.runtime.run({
        app: "OTHER",
        action: "peek",
        values: { c_text: loose },
        caller: asDeveloper({ id: user, isAdmin: true }),
      });
    const mine = await peek("other");
    expect(mine.ok && mine.entity.c_text).toBe("size:5");
    const theirs = await peek("root");
    expect(!theirs.ok && theirs.error.code).toBe("not_found");
  });
});

describe("schemas and app lists need read", () => {
  it("refuses /api/schema and get_app_schema without read, lists only readable apps", async () => {
    expect((await api.get("/api/schema/DEMO!VAULT", auth.reader)).statusCode).toBe(200);
    const refused = await api.get("/api/schema/DEMO!VAULT", auth.other);
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error.code).toBe("forbidden");
    await expect(tool("other", "get_app_schema", { app: "VAULT" })).rejects.toMatchObject({
      code: "forbidden",
    });
    expect((await tool("reader", "get_app_schema", { app: "VAULT" })).json).toMatchObject({ app: "VAULT" });

    const projects = (user: string) =>
      api.get("/api/projects/DEMO!WORKSPACE", auth[user]).then((r) =>
        r
          .json()
          .apps.map((a: { alias: string }) => a.alias)
          .sort(),
      );
    // FRIEND has no permissions configured, so it stays open to every signed-in user.
    expect(await projects("other")).toEqual(["FRIEND", "OTHER"]);
    expect(await projects("reader")).toEqual(["FRIEND", "VAULT"]);
    expect(await projects("root")).toEqual(["FRIEND", "OTHER", "VAULT"]);
    expect((await api.get("/api/common", auth.outsider)).json().server.apps.sort()).toEqual(["FRIEND"]);
    const workspace = await tool("outsider", "get_workspace", { workspace: "DEMO" });
    expect((workspace.json as { apps: { alias: string }[] }).apps.map((a) => a.alias)).toEqual(["FRIEND"]);
    expect((await tool("outsider", "list_workspaces", {})).json).toEqual([
      { alias: "DEMO", name: "DEMO", apps: 1 },
    ]);
  });
});
