/**
 * Everything one action writes, held in memory until the action commits: reads inside the logic
 * see these pending writes, and `writes()` lists them for the one store transaction of the commit.
 */
import { randomUUID } from "node:crypto";
import type { RecordQuery as GlobalQuery } from "../../globals/bridge-contract.ts";
import { RuntimeError } from "../errors.ts";
import type { RecordWrite, Store, StoredRecord } from "../store/index.ts";
import type { FieldSchema, JsonRecord } from "./fields.ts";
import { diffFields, emptyFields, toEntity } from "./record-shape.ts";
import { importRows } from "./import-data.ts";
import { queryWithPending } from "./pending-query.ts";

export interface PendingRecord {
  id: string;
  app: string;
  stored: StoredRecord | null;
  fields: JsonRecord;
  deleted: boolean;
  transition: string;
  /** The action has `skipAuditTrail` / `skipCreatingVersion`: no history entry for this write. */
  skipHistory?: boolean;
  /** The comment the action was sent with: written with the history entry, which it forces. */
  comment?: string;
}

const MAX_PENDING_RECORDS = 100_000;

export class UnitOfWork {
  readonly pending = new Map<string, PendingRecord>();
  readonly store: Store;
  readonly workspace: string;
  readonly defaultApp: string;
  private readonly schemaOf: (app: string) => FieldSchema;
  /** The action's app plus the apps its package.json names in `comindApp.dependsOn`. */
  private readonly reachable: Set<string>;
  private readonly onImported?: (rows: number) => void;
  private importedRows = 0;

  constructor(options: {
    store: Store;
    workspace: string;
    defaultApp: string;
    dependsOn?: string[];
    schemaOf: (app: string) => FieldSchema;
    onImported?: (rows: number) => void;
  }) {
    this.onImported = options.onImported;
    this.store = options.store;
    this.workspace = options.workspace;
    this.defaultApp = options.defaultApp;
    this.schemaOf = options.schemaOf;
    this.reachable = new Set([options.defaultApp, ...(options.dependsOn ?? [])]);
  }

  /** Field schema of an app the logic may touch; other apps' records are out of its reach. */
  schema(app?: string): FieldSchema {
    const alias = app ?? this.defaultApp;
    if (!this.reachable.has(alias)) {
      throw new RuntimeError(
        "forbidden",
        `App ${this.defaultApp} may not use records of app ${String(alias).slice(0, 40)}; list it in comindApp.dependsOn in package.json.`,
      );
    }
    return this.schemaOf(alias);
  }

  /** The current state of a record as this action sees it (null when missing or deleted). */
  async load(id: string): Promise<PendingRecord | null> {
    const pending = this.pending.get(id);
    if (pending) return pending.deleted ? null : pending;
    const stored = await this.store.getRecord(this.workspace, id);
    if (!stored) return null;
    this.schema(stored.app);
    return { id, app: stored.app, stored, fields: stored.fields, deleted: false, transition: "edit" };
  }

  entityOf(record: PendingRecord): JsonRecord {
    return toEntity(record.id, record.fields, record.stored, this.schema(record.app));
  }

  put(record: PendingRecord): void {
    if (!this.pending.has(record.id) && this.pending.size >= MAX_PENDING_RECORDS) {
      throw new RuntimeError(
        "limit_exceeded",
        `One action may write at most ${MAX_PENDING_RECORDS} records.`,
      );
    }
    this.pending.set(record.id, record);
  }

  async get({ id }: { id: string }): Promise<JsonRecord | null> {
    const record = await this.load(id);
    return record ? this.entityOf(record) : null;
  }

  async query(query: GlobalQuery): Promise<JsonRecord[]> {
    const app = query.appAlias ?? this.defaultApp;
    this.schema(app);
    const records = await queryWithPending(this, { ...query, appAlias: app });
    return records.map((record) => this.entityOf(record));
  }

  async create({ values, appAlias }: { values: JsonRecord; appAlias?: string }): Promise<JsonRecord> {
    const app = appAlias ?? this.defaultApp;
    const fields = { ...emptyFields(this.schema(app)), ...this.schema(app).validate(values ?? {}) };
    const record = { id: randomUUID(), app, stored: null, fields, deleted: false, transition: "add" };
    this.put(record);
    return this.entityOf(record);
  }

  async delete({ id }: { id: string }): Promise<{ deleted: boolean }> {
    const record = await this.load(id);
    if (!record) return { deleted: false };
    this.put({ ...record, deleted: true, transition: "delete" });
    return { deleted: true };
  }

  async importData(args: {
    data: JsonRecord[];
    keyFields: string[];
    appAlias?: string;
  }): Promise<{ created: number; updated: number }> {
    const counts = await importRows(this, args);
    this.importedRows += counts.created + counts.updated;
    this.onImported?.(this.importedRows);
    return counts;
  }

  /** The store writes of this action, in the order the records were first touched. */
  writes(): RecordWrite[] {
    const writes: RecordWrite[] = [];
    for (const record of this.pending.values()) {
      const { id, app, stored, fields, transition } = record;
      if (record.deleted) {
        if (stored)
          writes.push({
            kind: "delete",
            id,
            app,
            expectedRevision: stored.revision,
            transition,
            skipHistory: record.skipHistory,
          });
        continue;
      }
      const changes = diffFields(stored?.fields ?? {}, fields);
      // A comment is a version of its own: it is written even without a field change.
      const { comment } = record;
      const skipHistory = record.skipHistory && !comment;
      const noted = comment ? { comment } : {};
      if (!stored)
        writes.push({ kind: "insert", id, app, fields, transition, changes, skipHistory, ...noted });
      else if (changes.length > 0 || comment)
        writes.push({
          kind: "update",
          id,
          app,
          expectedRevision: stored.revision,
          fields,
          transition,
          changes,
          skipHistory,
          ...noted,
        });
    }
    return writes;
  }
}
