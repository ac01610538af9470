import { entity } from "#typings";
import { AppSchema, ComindServer, RestApi } from "@comind/api/server";

function sync_contacts() {
  // 1. Retrieve credentials from secrets
  const { COMIND_SECRET_CRM_API_KEY, COMIND_SECRET_CRM_BASE_URL } = AppSchema.getSecrets();

  if (!COMIND_SECRET_CRM_API_KEY || !COMIND_SECRET_CRM_BASE_URL) {
    throw "Missing CRM credentials. Configure COMIND_SECRET_CRM_API_KEY and COMIND_SECRET_CRM_BASE_URL in app secrets.";
  }

  // 2. Fetch contacts from external CRM
  RestApi.createClient(COMIND_SECRET_CRM_BASE_URL);
  RestApi.createRequest("/api/v2/contacts", "GET");
  RestApi.addHeader("X-API-Key", COMIND_SECRET_CRM_API_KEY);
  RestApi.addQueryParameter("updated_since", entity.c_last_sync_date || "");
  RestApi.addQueryParameter("limit", "200");
  RestApi.setRequestTimeout(30);

  const res = RestApi.executeRequest();

  if (res.statusCode !== 200) {
    throw `CRM API returned ${res.statusCode}: ${res.content}`;
  }

  const crmContacts = JSON.parse(res.content).data;
  console.log(`Fetched ${crmContacts.length} contacts from CRM`);

  if (crmContacts.length === 0) {
    entity.c_last_sync_status = "No new contacts";
    entity.c_last_sync_date = new Date().toISOString();
    return;
  }

  // 3. Map external data to Comind.work fields
  const mapped = crmContacts.map((c: any) => ({
    title: c.full_name,
    c_email: c.email,
    c_phone: c.phone,
    c_company_name: c.company,
    c_external_id: String(c.id),
    c_source: "crm-sync",
  }));

  // 4. Import into Comind.work - duplicates matched by c_external_id
  const result = ComindServer.importData({
    data: mapped,
    keyFields: ["c_external_id"],
  });

  console.log(`Import complete: ${result.created} created, ${result.updated} updated`);

  // 5. Update sync status on the trigger record
  entity.c_last_sync_status = `Synced ${crmContacts.length} contacts`;
  entity.c_last_sync_date = new Date().toISOString();
}

export default {
  sync_contacts,
} satisfies ActionLogic<typeof entity>;
