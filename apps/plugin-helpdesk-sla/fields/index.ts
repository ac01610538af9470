import type { AppFieldArray } from "@comind/api";

// The plugin's own field, and the app field it reads (declared again so its type is known here).
export default [
  { name: "c_sla_due", caption: "SLA due", type: "datetime" },
  { name: "c_priority", caption: "Priority", type: "lookup" },
] as const satisfies AppFieldArray;
