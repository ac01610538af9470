import type { AppActionArray } from "@comind/api";

export default [{ uid: "note", caption: "Note" }] as const satisfies AppActionArray;
