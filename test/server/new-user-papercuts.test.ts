import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { join } from "node:path";
import { FIXTURE_APPS } from "../helpers/runtime.ts";
import { startApi, type TestServerApi } from "../helpers/server.ts";
import { MAX_STALLED_PATCHES } from "../../runtime/server/upload-stall.ts";

let api: TestServerApi;
beforeAll(async () => {
  api = await startApi([join(FIXTURE_APPS, "app-probe")]);
  await api.post("/api/tickets/multi", [{ transition: "add", app_alias: "PROBE", c_note: "hello" }]);
});
afterAll(() => api.close());

describe("rlx filters name only fields the app has", () => {
  it("answers 400 naming an unknown field, on one app and across apps", async () => {
    for (const url of ["/api/w/DEMO/a/PROBE/tickets/list", "/api/tickets/list"]) {
      const res = await api.post(url, { rlx: 'c_note="hello" AND c_nope="x"' });
      expect(res.statusCode).toBe(400);
      expect(res.json().error).toMatchObject({ code: "bad_request" });
      expect(res.json().error.message).toContain('"c_nope"');
    }
  });

  it("still lists with known custom and system fields", async () => {
    const res = await api.post("/api/w/DEMO/a/PROBE/tickets/list", {
      rlx: 'c_note="hello" AND publishing_alias="PROBE" AND number>0',
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toHaveLength(1);
  });
});

describe("tus uploads that make no progress", () => {
  const tusHeaders = () => ({ ...api.auth, "tus-resumable": "1.0.0" });

  async function newUpload(length: number): Promise<string> {
    const created = await api.server.inject({
      method: "POST",
      url: "/api/upload-tus",
      headers: { ...tusHeaders(), "upload-length": String(length) },
    });
    expect(created.statusCode).toBe(201);
    return new URL(String(created.headers.location), "http://x").pathname;
  }

  const patch = (url: string, offset: number, payload: Buffer) =>
    api.server.inject({
      method: "PATCH",
      url,
      payload,
      headers: {
        ...tusHeaders(),
        "upload-offset": String(offset),
        "content-type": "application/offset+octet-stream",
      },
    });

  it("refuses repeated empty PATCHes with a 400 JSON error, and still takes the bytes", async () => {
    const bytes = Buffer.from("0123456789");
    const url = await newUpload(bytes.length);
    for (let i = 0; i < MAX_STALLED_PATCHES; i += 1)
      expect((await patch(url, 0, Buffer.alloc(0))).statusCode).toBe(204);
    const refused = await patch(url, 0, Buffer.alloc(0));
    expect(refused.statusCode).toBe(400);
    expect(refused.json().error.code).toBe("bad_request");
    expect(refused.json().error.message).toMatch(/no progress.*Upload-Offset/);
    const done = await patch(url, 0, bytes);
    expect(done.statusCode).toBe(204);
    expect(await api.store.getFile(String(done.headers["comind-file-uid"]))).toMatchObject({ size: 10 });
  });

  it("counts only PATCHes without progress: progress clears the count", async () => {
    const url = await newUpload(4);
    for (let i = 0; i < MAX_STALLED_PATCHES - 1; i += 1)
      expect((await patch(url, 0, Buffer.alloc(0))).statusCode).toBe(204);
    expect((await patch(url, 0, Buffer.from("ab"))).statusCode).toBe(204);
    for (let i = 0; i < MAX_STALLED_PATCHES; i += 1)
      expect((await patch(url, 2, Buffer.alloc(0))).statusCode).toBe(204);
    expect((await patch(url, 2, Buffer.alloc(0))).statusCode).toBe(400);
  });
});
