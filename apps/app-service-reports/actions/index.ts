import type { AppActionArray } from "@comind/api";

export default [
  { uid: "import_parts", caption: "Import parts list" },
  { uid: "build_report", caption: "Build report" },
  { uid: "send_report", caption: "Send report to customer" },
  { uid: "count_sent", caption: "Count sent reports (via the REST API)" },
] as const satisfies AppActionArray;
