import type { AppActionArray } from "@comind/api";

export default [
  { uid: "bump", caption: "Bump" },
  { uid: "call_api", caption: "Call API" },
  { uid: "spin", caption: "Spin" },
] as const satisfies AppActionArray;
