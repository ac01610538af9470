import type { AppActionArray } from "@comind/api";

export default [
  { uid: "import_parts", caption: "Import parts list" },
  { uid: "build_report", caption: "Build report" },
  { uid: "send_report", caption: "Send report to customer" },
] as const satisfies AppActionArray;
