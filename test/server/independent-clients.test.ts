/**
 * Clients this project did not write against its server: the tus-js-client package uploads a file
 * in several chunks, and a small legacy-style client (test/fixtures/legacy-client.ts) that reads
 * only by GET and form POST attaches it by its upload URL, lists, counts changes, reads history
 * and downloads the file, all over real HTTP on a loopback port chosen by the OS.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { Upload } from "tus-js-client";
import { LegacyComindClient } from "../fixtures/legacy-client.ts";
import { startApi, type TestServerApi } from "../helpers/server.ts";
import { removeTempApps, writeTempApp } from "../helpers/temp-app.ts";

let api: TestServerApi;
let base: string;

beforeAll(async () => {
  api = await startApi([
    writeTempApp(
      {
        "fields/index.ts": 'export default [{ name: "c_email", caption: "Email", type: "text" }] as const;\n',
      },
      { alias: "LEAD" },
    ),
  ]);
  await api.server.listen({ port: 0, host: "127.0.0.1" });
  base = `http://127.0.0.1:${(api.server.server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await api.close();
  removeTempApps();
});

function tusUpload(bytes: Buffer, fileName: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const upload = new Upload(bytes, {
      endpoint: `${base}/api/upload-tus`,
      headers: { authorization: `CMW_AUTH_CODE ${api.token}` },
      metadata: { filename: fileName, filetype: "application/octet-stream" },
      chunkSize: 64 * 1024, // several PATCH requests
      retryDelays: [],
      onError: reject,
      onSuccess: () => resolve(upload.url ?? ""),
    });
    upload.start();
  });
}

describe("independent clients", () => {
  it("uploads with tus-js-client and works through a GET/form-only legacy client", async () => {
    const bytes = Buffer.alloc(200 * 1024);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 31) % 251;
    const uploadUrl = await tusUpload(bytes, "report.bin");
    expect(uploadUrl).toMatch(/\/api\/upload-tus\/[a-f0-9]+$/);

    const client = new LegacyComindClient(base, api.token);
    expect(await client.whoAmI()).toMatchObject({
      user_id: "alice",
      user_name: "Alice",
      tz: "UTC",
      company: "DEMO",
    });

    const since = new Date();
    await sleep(5);
    const [created] = await client.save([
      {
        app_alias: "LEAD",
        title: "Acme",
        c_email: "buyer@acme.test",
        attachments: [{ file_uid: uploadUrl, title: "report" }],
      },
    ]);
    expect(created.created).toBe(true);
    await client.save([{ id: created.data.id, c_email: "cfo@acme.test" }]);

    const listed = await client.list("DEMO", "LEAD", {
      rlx: 'c_email~"acme"',
      listOfFields: "title,c_email",
      limitRecords: 5,
    });
    expect(listed).toEqual([
      expect.objectContaining({ id: created.data.id, title: "Acme", c_email: "cfo@acme.test" }),
    ]);
    expect(
      await client.listByForm("DEMO", "LEAD", {
        rlx: 'c_email~"acme"',
        listOfFields: "title,c_email",
        limitRecords: 5,
      }),
    ).toEqual(listed);
    expect(await client.changedSince("DEMO", "LEAD", since)).toBe(1);

    const versions = await client.history("DEMO", "LEAD", created.data.id);
    expect(versions.map((v) => v.c_email)).toEqual(["buyer@acme.test", "cfo@acme.test"]);

    const attachment = (await client.list("DEMO", "LEAD", { listOfFields: "attachments" }))[0].attachments[0];
    expect(Buffer.compare(await client.download(uploadUrl), bytes)).toBe(0);
    expect(Buffer.compare(await client.download(attachment.file_uid), bytes)).toBe(0);

    const [deleted] = await client.save([{ id: created.data.id, transition: "delete" }]);
    expect(deleted).toMatchObject({
      deleted: true,
      data: { id: created.data.id, number: created.data.number },
    });
    expect(await client.changedSince("DEMO", "LEAD", since)).toBe(1);
    await expect(client.save([{ title: "no app, no id" }])).rejects.toThrow(/transition/);
  });
});
