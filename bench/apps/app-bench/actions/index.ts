import type { AppActionArray } from "@comind/api";

export default [
  { uid: "bump", caption: "Bump" },
  { uid: "call_api", caption: "Call API" },
] as const satisfies AppActionArray;
