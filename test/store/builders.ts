/** Change-set builders for the store contract: each test writes only what it names. */
import { createHash, randomUUID } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll } from "vitest";
import type {
  ChangeSet,
  FileWrite,
  JsonRecord,
  RecordWrite,
  Store,
  StoredRecord,
} from "../../runtime/store/index.ts";

export type OpenStore = () => Promise<{ store: Store; cleanup: () => Promise<void> }>;

/** A workspace of its own per test: tests share one store but never see each other's rows. */
export const newWorkspace = () => `W${randomUUID().slice(0, 8)}`;

export function changeSet(workspace: string, writes: RecordWrite[], files: FileWrite[] = []): ChangeSet {
  return { workspace, actor: "tester", action: "test_action", runId: randomUUID(), writes, files };
}

export function insert(app: string, fields: JsonRecord, id: string = randomUUID()): RecordWrite {
  const changes = Object.entries(fields).map(([field, value]) => ({ field, old: null, new: value }));
  return { kind: "insert", id, app, fields, transition: "add", changes };
}

export function update(
  record: StoredRecord,
  patch: JsonRecord,
  expectedRevision = record.revision,
): RecordWrite {
  const changes = Object.entries(patch).map(([field, value]) => ({
    field,
    old: record.fields[field] ?? null,
    new: value,
  }));
  return {
    kind: "update",
    id: record.id,
    app: record.app,
    expectedRevision,
    fields: { ...record.fields, ...patch },
    transition: "edit",
    changes,
  };
}

export function remove(record: StoredRecord, expectedRevision = record.revision): RecordWrite {
  return { kind: "delete", id: record.id, app: record.app, expectedRevision, transition: "delete" };
}

const sourceDirs: string[] = [];
// The commit copies a source file into the store and leaves the source where it was.
afterAll(() => {
  for (const dir of sourceDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A temporary source file, as the file host hands it to a commit (removed after the test file). */
export function fileWrite(bytes: Buffer, fileName = "blob.bin"): FileWrite {
  const dir = mkdtempSync(join(tmpdir(), "comind-contract-"));
  sourceDirs.push(dir);
  const sourcePath = join(dir, fileName);
  writeFileSync(sourcePath, bytes);
  const sha256 = createHash("sha256").update(bytes).digest("hex");
  return {
    id: randomUUID(),
    fileName,
    contentType: "application/octet-stream",
    size: bytes.length,
    sha256,
    sourcePath,
  };
}

/** Commits inserts into a fresh workspace and returns the stored records in write order. */
export async function seed(
  store: Store,
  workspace: string,
  app: string,
  rows: JsonRecord[],
): Promise<StoredRecord[]> {
  return store.commit(
    changeSet(
      workspace,
      rows.map((fields) => insert(app, fields)),
    ),
  );
}
