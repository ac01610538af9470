/** The actions every app has, with or without logic (docs/app-developers.md, "Writing an app"). One list. */

/** The record actions of every app's form, as the app schema lists them. */
export const BASE_ACTIONS = [
  { uid: "add", caption: "Add" },
  { uid: "edit", caption: "Edit" },
  { uid: "delete", caption: "Delete" },
] as const;

/**
 * Base actions beyond the form's. copy / move / archive are ours to design (see docs/app-developers.md):
 * copy creates a new record with the same field values (logic runs on the copy), move changes
 * the record's `state` to the submitted one, archive sets `state` to "archived"; an app's logic
 * for them runs as for any other action.
 */
const RECORD_OPERATIONS = ["copy", "move", "archive"] as const;

export const BASE_ACTION_UIDS: readonly string[] = [
  ...BASE_ACTIONS.map((action) => action.uid),
  ...RECORD_OPERATIONS,
];

/** The form's base actions a user may fire on a record that exists ("add" creates one). */
export const RECORD_BASE_ACTIONS: readonly string[] = BASE_ACTIONS.map((action) => action.uid).filter(
  (uid) => uid !== "add",
);
