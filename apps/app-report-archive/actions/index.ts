import type { AppActionArray } from "@comind/api";

export default [
  { uid: "fetch_report", caption: "Fetch report PDF" },
  { uid: "export_csv", caption: "Export report list as CSV" },
  { uid: "upload_to_archive", caption: "Upload to document archive" },
] as const satisfies AppActionArray;
