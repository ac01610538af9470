import type { AppActionArray } from "@comind/api";

export default [
  { uid: "sync_contacts", caption: "Sync contacts from CRM" },
] as const satisfies AppActionArray;
