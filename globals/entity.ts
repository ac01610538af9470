/**
 * The record globals: `entity` (a mutable copy of the record), `entityOld` (frozen previous
 * state, null for a new record) and `currentUser`. Filled from the action's init document.
 */
import type { ActionInit, JsonRecord } from "./bridge-contract.ts";
import type { AppActionArray, AppFieldArray, EntityOf } from "./app-types.ts";
import { ComindServer } from "./comind-server.ts";
import { buildCurrentUser, type CurrentUser } from "./current-user.ts";

let current: ActionInit | null = null;
let entity: JsonRecord = {};
let entityOld: JsonRecord | null = null;
let user: CurrentUser | null = null;
let records: JsonRecord[] = [];

function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object") {
    for (const key of Object.keys(value)) deepFreeze((value as any)[key]);
    Object.freeze(value);
  }
  return value;
}

export function setActionInit(init: ActionInit): void {
  current = init;
  entity = init.entity;
  entityOld = init.entityOld ? deepFreeze(init.entityOld) : null;
  user = buildCurrentUser(init.currentUser ?? {}, () => entity);
  // A mass action: `entity` is the first selected record, the same object as records[0].
  records = init.records ? [entity, ...init.records.slice(1)] : [entity];
}

/**
 * Shows another record through `entity` (transition checks over a list of records). The object
 * is refilled in place: app modules hold the reference they got from makeEntity at load time.
 */
export function setCurrentEntity(record: JsonRecord): void {
  for (const key of Object.keys(entity)) delete entity[key];
  Object.assign(entity, record);
}

export function currentEntity(): JsonRecord {
  return entity;
}
export function currentEntityOld(): JsonRecord | null {
  return entityOld;
}
export function currentUser(): CurrentUser {
  return user ?? buildCurrentUser({}, () => entity);
}
/** The records a mass action runs on (one record otherwise); the host saves each one's changes. */
export function currentRecords(): JsonRecord[] {
  return records;
}
export function currentAction(): ActionInit {
  if (!current) throw new Error("No action is running.");
  return current;
}

/**
 * Typed access to the running record, as in the vendor's `typings.ts`.
 * @example export const { entity } = makeEntity(fields);
 */
export function makeEntity<F extends AppFieldArray, A extends AppActionArray = AppActionArray>(
  _fields: F,
  _actions?: A,
) {
  return {
    entity: entity as unknown as EntityOf<F>,
    entityOld: entityOld as unknown as Readonly<EntityOf<F>> | null,
    /**
     * The selected records of a mass action (the running record alone otherwise), also the
     * global `records`; with `query` / `get` helpers for the app's other records.
     */
    records: Object.assign(records as unknown as EntityOf<F>[], {
      query: (filter?: Partial<EntityOf<F>>, limit?: number) =>
        ComindServer.queryAppRecords({ filter: filter as JsonRecord, limit }) as unknown as EntityOf<F>[],
      get: (id: string) => ComindServer.getAppRecord(id) as unknown as EntityOf<F> | null,
    }),
  };
}
