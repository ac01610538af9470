/**
 * ORDER · pull_orders / push_status — two-way sync with a kintone orders app (seed 003).
 *
 * What it demonstrates:
 * - API-token auth in a custom header (`X-Cybozu-API-Token`) read from a secret;
 * - cursor pagination: POST /k/v1/records/cursor.json, then GET /k/v1/records/cursor.json?id=
 *   until `next` is false, deleting the cursor if the pull stops halfway;
 * - kintone's field format `{ "code": { "type": "...", "value": ... } }` (numbers arrive as
 *   strings, subtables as rows of fields) mapped onto typed Comind fields;
 * - ComindServer.importData keyed on c_kintone_id, remembering each record's `$revision`;
 * - optimistic locking on write-back: PUT /k/v1/record.json sends the stored revision, and a
 *   revision mismatch (someone edited the order in kintone since the last pull) fails the action
 *   with a clear message instead of overwriting their change.
 */
import { entity } from "#typings";
import { AppSchema, ComindServer, RestApi } from "@comind/api/server";
import type { HttpResponse } from "@comind/api/server";

interface KintoneField {
  type: string;
  value: any;
}
type KintoneRecord = Record<string, KintoneField>;

interface Kintone {
  baseUrl: string;
  apiToken: string;
  appId: number;
}

// Ask only for the fields we map: smaller pages, and new kintone fields do not break the import.
// $id and $revision must be listed explicitly once `fields` is given.
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

function connect(): Kintone {
  const { COMIND_SECRET_KINTONE_BASE_URL: baseUrl, COMIND_SECRET_KINTONE_API_TOKEN: apiToken } =
    AppSchema.getSecrets();
  if (!baseUrl || !apiToken) {
    throw "Missing kintone settings. Configure COMIND_SECRET_KINTONE_BASE_URL and COMIND_SECRET_KINTONE_API_TOKEN in app secrets.";
  }
  const appId = Number(ComindServer.getVars().kintoneAppId);
  if (!(appId > 0)) throw "Set vars.kintoneAppId in settings/index.ts to the id of the kintone orders app.";
  return { baseUrl, apiToken, appId };
}

function startRequest(kintone: Kintone, path: string, method: "GET" | "POST" | "PUT" | "DELETE") {
  RestApi.createClient(kintone.baseUrl);
  RestApi.createRequest(path, method);
  RestApi.addHeader("X-Cybozu-API-Token", kintone.apiToken);
  RestApi.addHeader("Accept", "application/json");
  RestApi.setRequestTimeout(30);
}

/** kintone errors look like { code: "GAIA_CO02", id: "...", message: "..." }. */
function kintoneError(res: HttpResponse): { code: string; message: string } {
  try {
    const body = JSON.parse(res.content);
    if (body && typeof body.message === "string")
      return { code: String(body.code ?? "unknown"), message: body.message };
  } catch {
    // not JSON (a proxy's HTML page, say): show the start of it
  }
  return { code: "unknown", message: res.content.slice(0, 200) || "(empty body)" };
}

/** Parses a 2xx response, or throws a message naming the call and kintone's error code. */
function expectOk(res: HttpResponse, call: string, appId: number): any {
  if (res.isSuccessful) return JSON.parse(res.content);
  const error = kintoneError(res);
  if (
    res.statusCode === 401 ||
    res.statusCode === 403 ||
    error.code.startsWith("GAIA_IA") ||
    error.code === "CB_WA01"
  ) {
    throw `kintone rejected the API token on ${call} (HTTP ${res.statusCode}, ${error.code}: ${error.message}). Check COMIND_SECRET_KINTONE_API_TOKEN and that the token has view/edit permission on app ${appId}.`;
  }
  throw `kintone ${call} failed with HTTP ${res.statusCode} (${error.code}: ${error.message})`;
}

const text = (record: KintoneRecord, code: string): string | null => {
  const value = record[code]?.value;
  return value === undefined || value === null || value === "" ? null : String(value);
};

// kintone sends NUMBER fields as strings ("1250.50"), and "" when empty.
const number = (record: KintoneRecord, code: string): number | null => {
  const value = text(record, code);
  const parsed = value === null ? NaN : Number(value);
  return Number.isFinite(parsed) ? parsed : null;
};

/** A SUBTABLE's rows ({ id, value: { code: { type, value } } }) as plain objects. */
function lineItems(record: KintoneRecord) {
  const rows: { id: string; value: KintoneRecord }[] = record.items?.value ?? [];
  return rows.map((row) => ({
    product: text(row.value, "product"),
    quantity: number(row.value, "quantity"),
    unit_price: number(row.value, "unit_price"),
  }));
}

function toOrder(record: KintoneRecord) {
  const orderNumber = text(record, "order_number");
  return {
    title: orderNumber ?? `kintone #${text(record, "$id")}`,
    c_kintone_id: text(record, "$id"),
    c_revision: number(record, "$revision"),
    c_order_number: orderNumber,
    c_customer: text(record, "customer"),
    c_amount: number(record, "amount"),
    c_order_date: text(record, "order_date"),
    c_fulfillment_status: text(record, "fulfillment_status"),
    c_line_items: lineItems(record),
    c_kintone_updated_at: text(record, "Updated_datetime"),
  };
}

function createCursor(kintone: Kintone): { id: string; totalCount: number } {
  const vars = ComindServer.getVars();
  startRequest(kintone, "/k/v1/records/cursor.json", "POST");
  RestApi.addJsonBody({
    app: kintone.appId,
    fields: FIELD_CODES,
    query: String(vars.query ?? "order by $id asc"),
    size: Math.min(Number(vars.cursorSize) || 100, 500),
  });
  const body = expectOk(RestApi.executeRequest(), "POST /k/v1/records/cursor.json", kintone.appId);
  return { id: String(body.id), totalCount: Number(body.totalCount) };
}

function readCursor(kintone: Kintone, cursorId: string): { records: KintoneRecord[]; next: boolean } {
  startRequest(kintone, "/k/v1/records/cursor.json", "GET");
  RestApi.addQueryParameter("id", cursorId);
  const body = expectOk(RestApi.executeRequest(), "GET /k/v1/records/cursor.json", kintone.appId);
  return { records: body.records ?? [], next: body.next === true };
}

/**
 * kintone deletes a cursor by itself after its last page; one abandoned halfway counts against
 * the domain's limit of 10 open cursors until it expires. Best effort: the pull already failed.
 */
function deleteCursor(kintone: Kintone, cursorId: string): void {
  try {
    startRequest(kintone, "/k/v1/records/cursor.json", "DELETE");
    RestApi.addJsonBody({ id: cursorId });
    RestApi.executeRequest();
  } catch (error) {
    console.warn(`Could not delete kintone cursor ${cursorId}: ${error}`);
  }
}

function pull_orders() {
  const kintone = connect();
  const startedAt = new Date().toISOString();
  const cursor = createCursor(kintone);
  console.log(`kintone cursor ${cursor.id}: ${cursor.totalCount} orders`);

  const records: KintoneRecord[] = [];
  let pages = 0;
  let finished = false;
  try {
    // One request per page; the action's 100-request budget covers ~9,900 orders at size 100.
    while (!finished) {
      const page = readCursor(kintone, cursor.id);
      records.push(...page.records);
      pages += 1;
      finished = !page.next;
    }
  } finally {
    if (!finished) deleteCursor(kintone, cursor.id);
  }

  // Upsert on the kintone id; c_revision is what push_status sends back as its lock.
  const { created, updated } = ComindServer.importData({
    data: records.map(toOrder),
    keyFields: ["c_kintone_id"],
  });
  console.log(
    `Imported ${records.length} orders from ${pages} cursor page(s): ${created} created, ${updated} updated`,
  );
  entity.c_last_sync_status = `Pulled ${records.length} orders: ${created} created, ${updated} updated`;
  entity.c_last_sync_date = startedAt;
}

/** kintone answers a stale `revision` with 409 GAIA_CO02 (some proxies and older versions: 400). */
function isRevisionConflict(res: HttpResponse): boolean {
  return res.statusCode === 409 || (res.statusCode === 400 && kintoneError(res).code === "GAIA_CO02");
}

function push_status() {
  if (!entity.c_kintone_id || entity.c_revision === null) {
    throw "This order is not linked to a kintone record yet (no c_kintone_id / c_revision): run pull_orders first.";
  }
  if (!entity.c_fulfillment_status) throw "Set the fulfillment status before pushing it to kintone.";
  const kintone = connect();

  startRequest(kintone, "/k/v1/record.json", "PUT");
  RestApi.addJsonBody({
    app: kintone.appId,
    id: Number(entity.c_kintone_id),
    // Optimistic lock: kintone refuses the update if the record moved past this revision.
    revision: entity.c_revision,
    record: { fulfillment_status: { value: entity.c_fulfillment_status } },
  });
  const res = RestApi.executeRequest();
  if (isRevisionConflict(res)) {
    const { code, message } = kintoneError(res);
    throw `Order ${entity.c_order_number ?? entity.c_kintone_id} was changed in kintone after it was last pulled (this record has revision ${entity.c_revision}; kintone said ${code}: ${message}). Run pull_orders to get the latest version, then push the status again.`;
  }
  const body = expectOk(res, "PUT /k/v1/record.json", kintone.appId);

  // The next push must carry the revision our own update produced.
  entity.c_revision = Number(body.revision);
  entity.c_last_push_date = new Date().toISOString();
  console.log(
    `Order ${entity.c_order_number}: status "${entity.c_fulfillment_status}" pushed, kintone revision now ${body.revision}`,
  );
}

export default {
  pull_orders,
  push_status,
} satisfies ActionLogic<typeof entity>;
