import type { AppActionArray } from "@comind/api";

export default [
  { uid: "sync_users", caption: "Sync users from the User API" },
] as const satisfies AppActionArray;
