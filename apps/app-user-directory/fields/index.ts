import type { AppFieldArray } from "@comind/api";

// One record per user of the external user API (title = username), plus the summary fields that
// the record you run `sync_users` on gets filled with.
export default [
  { name: "c_user_id", caption: "User API id", type: "text" },
  { name: "c_username", caption: "Username", type: "text" },
  { name: "c_email", caption: "Email", type: "text" },
  { name: "c_role", caption: "Role", type: "text" },
  { name: "c_status", caption: "Status", type: "text" },
  { name: "c_created_at", caption: "Created in User API", type: "datetime" },
  { name: "c_last_login", caption: "Last login", type: "datetime" },
  { name: "c_source", caption: "Source", type: "text" },
  { name: "c_last_sync_status", caption: "Last sync status", type: "text" },
  { name: "c_last_sync_date", caption: "Last sync", type: "datetime" },
  { name: "c_synced_count", caption: "Users synced", type: "number" },
  { name: "c_pages_fetched", caption: "Pages fetched", type: "number" },
  { name: "c_rate_limit_waits", caption: "Rate-limit waits", type: "number" },
] as const satisfies AppFieldArray;
