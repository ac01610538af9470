import type { AppActionArray } from "@comind/api";

export default [
  { uid: "push_to_awork", caption: "Create / update in awork" },
  { uid: "pull_tasks", caption: "Pull tasks from awork" },
] as const satisfies AppActionArray;
