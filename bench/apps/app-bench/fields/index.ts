import type { AppFieldArray } from "@comind/api";

export default [
  { name: "c_count", caption: "Count", type: "number" },
  { name: "c_url", caption: "URL", type: "text" },
  { name: "c_requests", caption: "Requests", type: "number" },
] as const satisfies AppFieldArray;
