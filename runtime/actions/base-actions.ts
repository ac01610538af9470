/** The actions every app has, with or without logic (README "Writing an app"). */
export const BASE_ACTIONS = [
  { uid: "add", caption: "Add" },
  { uid: "edit", caption: "Edit" },
  { uid: "delete", caption: "Delete" },
] as const;

export const BASE_ACTION_UIDS: readonly string[] = BASE_ACTIONS.map((action) => action.uid);

/** The base actions a user may fire on a record that exists ("add" creates one). */
export const RECORD_BASE_ACTIONS: readonly string[] = BASE_ACTION_UIDS.filter((uid) => uid !== "add");
