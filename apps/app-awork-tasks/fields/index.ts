import type { AppFieldArray } from "@comind/api";

// A task mirrored in awork: title/description are the task's name/description, c_awork_id links
// the two. The sync fields are filled on the record `pull_tasks` runs on.
export default [
  { name: "c_awork_id", caption: "awork task id", type: "text" },
  { name: "c_awork_project_id", caption: "awork project id", type: "text" },
  { name: "c_due_on", caption: "Due on", type: "datetime" },
  { name: "c_is_prio", caption: "Priority", type: "bool" },
  { name: "c_planned_minutes", caption: "Planned effort (minutes)", type: "number" },
  { name: "c_awork_status", caption: "awork status", type: "text" },
  { name: "c_awork_updated_on", caption: "Updated in awork", type: "datetime" },
  { name: "c_last_push_date", caption: "Last pushed to awork", type: "datetime" },
  { name: "c_last_sync_status", caption: "Last sync status", type: "text" },
  { name: "c_last_sync_date", caption: "Last sync", type: "datetime" },
] as const satisfies AppFieldArray;
