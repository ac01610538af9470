import type { AppActionArray } from "@comind/api";

export default [
  { uid: "pull_orders", caption: "Pull orders from kintone" },
  { uid: "push_status", caption: "Push fulfillment status to kintone" },
] as const satisfies AppActionArray;
