/**
 * Types app developers compile against: fields, actions, the entity shape derived from
 * `fields/index.ts`, and `ActionLogic`. Pure types; nothing here runs.
 */
import type { NotifyResult } from "./notify-context.ts";

export type AppFieldType =
  | "text"
  | "number"
  | "date"
  | "datetime"
  | "bool"
  | "object"
  | "lookup"
  | "lookupMulti"
  | "appsLookup"
  | "linkto"
  | "linkslist"
  | "fileslist"
  | "peoplelist"
  | "person";

export interface AppField {
  readonly name: string;
  readonly caption?: string;
  readonly type: AppFieldType;
  readonly required?: boolean;
  /** Choices of a lookup field: `{ value, caption, position }` objects or plain strings. */
  readonly options?: readonly (string | { value?: string; caption: string; position?: number })[];
  /** A lookup whose choices are the records of another app (value = record id, caption = title). */
  readonly lookupApp?: string;
  readonly [extra: string]: unknown;
}
export type AppFieldArray = readonly AppField[];

export interface AppAction {
  readonly uid: string;
  readonly caption?: string;
  readonly showAsButton?: boolean;
  /** false: hidden from users (not in `transitions`, refused over REST); logic may still fire it. */
  readonly visible?: boolean;
  /** No history entry for what this action changes. */
  readonly skipAuditTrail?: boolean;
  /** Same as skipAuditTrail here: no new version in the history. */
  readonly skipCreatingVersion?: boolean;
  readonly keepModalOpened?: boolean;
  /** false: the action cannot run on several records at once (default true). */
  readonly showAsMassAction?: boolean;
  readonly viewMode?: string;
  readonly backlinkAppAlias?: string;
  readonly backlinkField?: string;
  readonly invokeFromEmail?: boolean;
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
        : T extends "peoplelist" | "lookupMulti" | "linkslist"
          ? string[] | null
          : string | null;

/** `{ caption, position }` of a lookup value (`entity.c_priority__resolved`). */
export interface ResolvedLookup {
  caption: string;
  position: number | null;
}

type LookupType = "lookup" | "lookupMulti" | "appsLookup";

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
} & {
  readonly [K in F[number] as K["type"] extends LookupType
    ? `${K["name"]}__resolved`
    : never]: ResolvedLookup | null;
} & {
  -readonly [K in F[number] as K["type"] extends "fileslist" ? `${K["name"]}__list` : never]:
    | AttachmentItem[]
    | null;
};

/**
 * An app's logic: one function per action uid (plus optional base actions add/edit/delete), and
 * optionally `__sendNotifications`, whose NotifyContext is e-mailed after the action commits.
 */
export type ActionLogicOf<E = any> = Record<string, (entity: E) => void> & {
  __sendNotifications?: (entity: E) => NotifyResult;
};

export type { CurrentUser } from "./current-user.ts";
