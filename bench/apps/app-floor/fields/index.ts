import type { AppFieldArray } from "@comind/api";

export default [
  { name: "c_note", caption: "Note", type: "text" },
  { name: "c_count", caption: "Count", type: "number" },
  { name: "c_hash", caption: "Hash", type: "text" },
] as const satisfies AppFieldArray;
