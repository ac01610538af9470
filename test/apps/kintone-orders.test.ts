/**
 * apps/app-kintone-orders (ORDER) end to end: pull_orders through kintone cursors and
 * push_status with revision checks, against the seed-003 kintone mock.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { asDeveloper } from "../../runtime/index.ts";
import { join } from "node:path";
import { startMockKintone, type MockKintone } from "../fixtures/mock-kintone.ts";
import { EXAMPLE_APPS, startRuntime, type TestRuntime } from "../helpers/runtime.ts";

const APP_DIR = join(EXAMPLE_APPS, "app-kintone-orders");
const FIELD_CODES = [
  "$id",
  "$revision",
  "order_number",
  "customer",
  "amount",
  "order_date",
  "fulfillment_status",
  "items",
  "Updated_datetime",
];

async function runtimeFor(kintone: MockKintone, apiToken = kintone.apiToken): Promise<TestRuntime> {
  const t = await startRuntime({
    allowHosts: ["127.0.0.1"],
    secrets: { COMIND_SECRET_KINTONE_BASE_URL: kintone.url, COMIND_SECRET_KINTONE_API_TOKEN: apiToken },
  });
  await t.runtime.loadApp(APP_DIR);
  return t;
}

const orders = (t: TestRuntime, where: Record<string, unknown> = {}) =>
  t.store
    .findRecords({ workspace: "DEMO", app: "ORDER", where, limit: 1000 })
    .then((rows) => rows.filter((r) => r.fields.c_kintone_id !== null));

async function order(t: TestRuntime, kintoneId: number) {
  const [found] = await orders(t, { c_kintone_id: String(kintoneId) });
  return found;
}

describe("ORDER pull_orders and push_status", () => {
  let kintone: MockKintone;
  let t: TestRuntime;
  let syncId: string;

  beforeAll(async () => {
    kintone = await startMockKintone({ orderCount: 230 });
    t = await runtimeFor(kintone);
  });
  afterAll(async () => {
    await t?.close();
    await kintone?.close();
  });

  const pull = () =>
    t.runtime.run({
      caller: asDeveloper(),
      app: "ORDER",
      action: "pull_orders",
      ...(syncId ? { recordId: syncId } : { values: { title: "kintone sync" } }),
    });

  it("opens a cursor, reads it page by page until next=false and imports 230 orders", async () => {
    const result = await pull();
    expect(result.ok, JSON.stringify(!result.ok && result.error)).toBe(true);
    if (!result.ok) return;
    syncId = result.recordId;

    const [open, ...reads] = kintone.requests;
    expect(open).toMatchObject({ method: "POST", path: "/k/v1/records/cursor.json", status: 200 });
    expect(open.body).toEqual({ app: 12, fields: FIELD_CODES, query: "order by $id asc", size: 100 });
    expect(open.headers["content-type"]).toMatch(/^application\/json/);
    expect(reads).toHaveLength(3);
    for (const read of reads) {
      expect(read).toMatchObject({ method: "GET", path: "/k/v1/records/cursor.json", status: 200 });
      expect(read.query.get("id")).toBeTruthy();
    }
    expect(new Set(reads.map((r) => r.query.get("id"))).size).toBe(1);
    for (const request of kintone.requests)
      expect(request.headers["x-cybozu-api-token"]).toBe(kintone.apiToken);
    // kintone deleted the cursor after its last page: nothing left open.
    expect(kintone.cursors.size).toBe(0);

    expect(result.entity.c_last_sync_status).toBe("Pulled 230 orders: 230 created, 0 updated");
    expect(result.logs.map((l) => l.message)).toContain(
      "Imported 230 orders from 3 cursor page(s): 230 created, 0 updated",
    );
    expect(await orders(t)).toHaveLength(230);
  });

  it("maps kintone { type, value } fields onto typed fields and keeps the revision", async () => {
    const stored = await order(t, 7);
    expect(stored.fields).toMatchObject({
      title: "SO-1007",
      c_kintone_id: "7",
      c_revision: 1,
      c_order_number: "SO-1007",
      c_customer: "Acme Corp",
      c_amount: 262.5,
      c_order_date: "2024-05-08",
      c_fulfillment_status: "New",
      c_kintone_updated_at: "2024-05-30T09:00:00Z",
      c_line_items: [
        { product: "Gizmo", quantity: 1, unit_price: 9.5 },
        { product: "Widget", quantity: 2, unit_price: 10.5 },
      ],
    });
    expect(JSON.stringify(stored.fields)).not.toContain("not requested by the app");
    const history = await t.store.history("DEMO", stored.id);
    expect(history).toHaveLength(1);
    expect(history[0]).toMatchObject({ action: "pull_orders", transition: "add" });
  });

  it("push_status sends the stored revision and keeps the new one kintone returns", async () => {
    const stored = await order(t, 7);
    const before = kintone.requests.length;
    const result = await t.runtime.run({
      caller: asDeveloper(),
      app: "ORDER",
      action: "push_status",
      recordId: stored.id,
      values: { c_fulfillment_status: "Shipped" },
    });
    expect(result.ok, JSON.stringify(!result.ok && result.error)).toBe(true);
    if (!result.ok) return;

    const [put] = kintone.requests.slice(before);
    expect(put).toMatchObject({ method: "PUT", path: "/k/v1/record.json", status: 200 });
    expect(put.body).toEqual({
      app: 12,
      id: 7,
      revision: 1,
      record: { fulfillment_status: { value: "Shipped" } },
    });
    expect(kintone.records.get(7)!.fulfillment_status.value).toBe("Shipped");
    expect(kintone.records.get(7)!.$revision.value).toBe("2");

    expect(result.entity).toMatchObject({ c_fulfillment_status: "Shipped", c_revision: 2 });
    const history = await t.store.history("DEMO", stored.id);
    expect(history).toHaveLength(2);
    expect(history[1].transition).toBe("push_status");
    expect(history[1].changes).toEqual(
      expect.arrayContaining([
        { field: "c_fulfillment_status", old: "New", new: "Shipped" },
        { field: "c_revision", old: 1, new: 2 },
      ]),
    );
  });

  it("a second pull updates the existing records instead of creating new ones", async () => {
    kintone.editInKintone(9, { customer: "Initech GmbH" });
    const result = await pull();
    expect(result.ok, JSON.stringify(!result.ok && result.error)).toBe(true);
    if (!result.ok) return;
    expect(result.created).toBe(false);
    expect(result.entity.c_last_sync_status).toBe("Pulled 230 orders: 0 created, 230 updated");
    expect(await orders(t)).toHaveLength(230);

    const edited = await order(t, 9);
    expect(edited.fields).toMatchObject({ c_customer: "Initech GmbH", c_revision: 2 });
    expect((await t.store.history("DEMO", edited.id)).at(-1)?.changes).toEqual(
      expect.arrayContaining([
        { field: "c_customer", old: "Initech", new: "Initech GmbH" },
        { field: "c_revision", old: 1, new: 2 },
      ]),
    );
    // Untouched orders: no change, no new history entry.
    expect(await t.store.history("DEMO", (await order(t, 8)).id)).toHaveLength(1);
    // Order 7 already had the revision of its own push; only kintone's update time is new.
    const pushed = await t.store.history("DEMO", (await order(t, 7)).id);
    expect(pushed.map((h) => h.changes.map((c) => c.field))).toEqual([
      expect.anything(),
      expect.arrayContaining(["c_fulfillment_status", "c_revision"]),
      ["c_kintone_updated_at"],
    ]);
    expect(await t.store.history("DEMO", syncId)).toHaveLength(2);
  });

  it("refuses to overwrite a change made in kintone since the last pull (409 GAIA_CO02) and writes nothing", async () => {
    kintone.editInKintone(7, { fulfillment_status: "On hold" });
    const stored = await order(t, 7);
    const historyBefore = await t.store.history("DEMO", stored.id);

    const result = await t.runtime.run({
      caller: asDeveloper(),
      app: "ORDER",
      action: "push_status",
      recordId: stored.id,
      values: { c_fulfillment_status: "Delivered" },
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe("logic_error");
    expect(result.error.message).toBe(
      "Order SO-1007 was changed in kintone after it was last pulled (this record has revision 2; kintone said GAIA_CO02: The revision is not the latest. Someone else may have updated the record after you opened it.). Run pull_orders to get the latest version, then push the status again.",
    );
    expect(kintone.requests.at(-1)).toMatchObject({ method: "PUT", status: 409, body: { revision: 2 } });

    // Neither side changed: kintone keeps the other user's edit, the store keeps the old values.
    expect(kintone.records.get(7)!.fulfillment_status.value).toBe("On hold");
    expect(kintone.records.get(7)!.$revision.value).toBe("3");
    const after = await t.store.getRecord("DEMO", stored.id);
    expect(after!.fields).toMatchObject({ c_fulfillment_status: "Shipped", c_revision: 2 });
    expect(after!.revision).toBe(stored.revision);
    expect(await t.store.history("DEMO", stored.id)).toEqual(historyBefore);
  });

  it("pull_orders then push_status succeeds once the record has kintone's latest revision", async () => {
    expect((await pull()).ok).toBe(true);
    const stored = await order(t, 7);
    expect(stored.fields).toMatchObject({ c_fulfillment_status: "On hold", c_revision: 3 });
    const result = await t.runtime.run({
      caller: asDeveloper(),
      app: "ORDER",
      action: "push_status",
      recordId: stored.id,
      values: { c_fulfillment_status: "Delivered" },
    });
    expect(result.ok && result.entity).toMatchObject({ c_fulfillment_status: "Delivered", c_revision: 4 });
    expect(kintone.records.get(7)!.fulfillment_status.value).toBe("Delivered");
  });

  it("push_status on an order that was never pulled fails before any request", async () => {
    const before = kintone.requests.length;
    const result = await t.runtime.run({
      caller: asDeveloper(),
      app: "ORDER",
      action: "push_status",
      values: { title: "Manual order", c_fulfillment_status: "Shipped" },
    });
    expect(!result.ok && result.error.message).toBe(
      "This order is not linked to a kintone record yet (no c_kintone_id / c_revision): run pull_orders first.",
    );
    expect(kintone.requests.length).toBe(before);
    expect(await t.store.getRecord("DEMO", result.recordId!)).toBeNull();
  });

  it("deletes the cursor when a page fails halfway and imports nothing", async () => {
    kintone.editInKintone(1, { customer: "Changed but never pulled" });
    kintone.failCursorPage = 2;
    const before = kintone.requests.length;
    const syncHistory = await t.store.history("DEMO", syncId);

    const result = await pull();
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.message).toBe(
      "kintone GET /k/v1/records/cursor.json failed with HTTP 500 (GAIA_IL23: An unexpected error occurred.)",
    );
    expect(kintone.requests.slice(before).map((r) => `${r.method} ${r.status}`)).toEqual([
      "POST 200",
      "GET 200",
      "GET 500",
      "DELETE 200",
    ]);
    expect(kintone.requests.at(-1)!.body).toEqual({ id: kintone.requests[before + 1].query.get("id") });
    expect(kintone.cursors.size).toBe(0);
    // Page 1 had been read, but the failed action commits none of it.
    expect((await order(t, 1)).fields.c_customer).not.toBe("Changed but never pulled");
    expect(await t.store.history("DEMO", syncId)).toEqual(syncHistory);
  });
});

describe("ORDER with a wrong API token", () => {
  let kintone: MockKintone;
  let t: TestRuntime;

  beforeAll(async () => {
    kintone = await startMockKintone({ orderCount: 5 });
    t = await runtimeFor(kintone, "revoked-token-000");
  });
  afterAll(async () => {
    await t?.close();
    await kintone?.close();
  });

  it("fails with a message naming the secret, hides the token and stores nothing", async () => {
    const result = await t.runtime.run({
      caller: asDeveloper(),
      app: "ORDER",
      action: "pull_orders",
      values: { title: "sync" },
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.message).toBe(
      "kintone rejected the API token on POST /k/v1/records/cursor.json (HTTP 401, GAIA_IA02: The specified API token does not match the API token generated via an app.). Check COMIND_SECRET_KINTONE_API_TOKEN and that the token has view/edit permission on app 12.",
    );
    expect(JSON.stringify(result)).not.toContain("revoked-token-000");
    expect(kintone.requests).toHaveLength(1);
    expect(await t.store.findRecords({ workspace: "DEMO", app: "ORDER" })).toHaveLength(0);
  });
});
