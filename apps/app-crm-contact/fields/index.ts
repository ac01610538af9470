import type { AppFieldArray } from "@comind/api";

export default [
  { name: "c_email", caption: "Email", type: "text" },
  { name: "c_phone", caption: "Phone", type: "text" },
  { name: "c_company_name", caption: "Company", type: "text" },
  { name: "c_external_id", caption: "CRM id", type: "text" },
  { name: "c_source", caption: "Source", type: "text" },
  { name: "c_last_sync_status", caption: "Last sync status", type: "text" },
  { name: "c_last_sync_date", caption: "Last sync", type: "datetime" },
] as const satisfies AppFieldArray;
