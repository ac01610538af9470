import type { AppFieldArray } from "@comind/api";

// A report document: where it comes from (a URL, or a period on the reporting server), the
// downloaded PDF in `attachments`, and where it was archived.
export default [
  { name: "c_report_url", caption: "Report URL", type: "text" },
  { name: "c_period", caption: "Period (YYYY-MM)", type: "text" },
  { name: "c_file_size", caption: "File size (bytes)", type: "number" },
  { name: "c_fetched_at", caption: "Fetched", type: "datetime" },
  { name: "c_last_fetch_status", caption: "Last fetch", type: "text" },
  { name: "c_archive_id", caption: "Archive document id", type: "text" },
  { name: "c_archive_url", caption: "Archive link", type: "text" },
  { name: "c_archived_at", caption: "Archived", type: "datetime" },
  { name: "c_last_export_status", caption: "Last export", type: "text" },
] as const satisfies AppFieldArray;
