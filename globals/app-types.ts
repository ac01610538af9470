/**
 * Types app developers compile against: fields, actions, the entity shape derived from
 * `fields/index.ts`, and `ActionLogic`. Pure types; nothing here runs.
 */
export type AppFieldType =
  | "text"
  | "number"
  | "date"
  | "datetime"
  | "bool"
  | "object"
  | "lookup"
  | "fileslist"
  | "peoplelist";

export interface AppField {
  readonly name: string;
  readonly caption?: string;
  readonly type: AppFieldType;
  readonly required?: boolean;
  readonly [extra: string]: unknown;
}
export type AppFieldArray = readonly AppField[];

export interface AppAction {
  readonly uid: string;
  readonly caption?: string;
  readonly [extra: string]: unknown;
}
export type AppActionArray = readonly AppAction[];

export interface AttachmentItem {
  file_uid: string;
  title?: string;
  [extra: string]: unknown;
}

type FieldValue<T extends AppFieldType> = T extends "number"
  ? number | null
  : T extends "bool"
    ? boolean | null
    : T extends "object"
      ? any
      : T extends "fileslist"
        ? AttachmentItem[] | null
        : T extends "peoplelist"
          ? string[] | null
          : string | null;

/** The fields every record has, whatever the app declares. */
export interface BaseEntity {
  id: string;
  number?: number;
  title: string | null;
  state: string | null;
  description: string | null;
  creation_date: string | null;
  update_date: string | null;
  assignees_list: string[] | null;
  attachments: AttachmentItem[] | null;
  attachments__list: AttachmentItem[] | null;
  c_json_data: any;
}

export type EntityOf<F extends AppFieldArray> = BaseEntity & {
  -readonly [K in F[number] as K["name"]]: FieldValue<K["type"]>;
};

/** An app's logic: one function per action uid (plus optional base actions add/edit/delete). */
export type ActionLogicOf<E = any> = Record<string, (entity: E) => void>;

export interface CurrentUser {
  id: string;
  name: string;
  email?: string;
  isAdmin?: boolean;
  /** IANA time zone of the user when known (e.g. from the OIDC `zoneinfo` claim). */
  timeZone?: string;
}
