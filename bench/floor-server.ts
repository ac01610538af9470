/**
 * The floor of bench/floor.ts (issue 27): plain fastify + node:sqlite doing the FLOOR app's job
 * (bench/apps/app-floor) with no sandbox, no access check, no logging — but writing exactly what
 * this project's commit writes for it (runtime/store/sqlite/commit.ts): the record update with
 * its revision check (the FTS and file-ref triggers fire, as the project's schema has them), the
 * history row, the run commit mark, the read-back of the record and the run log row, in one
 * transaction, on a database made by the project's own migrations and PRAGMAs.
 *
 *   node --no-node-snapshot bench/floor-server.ts <dataDir> <records>
 * prints one JSON line { url, ids } when it listens; POST /api/tickets/multi takes the same body
 * as the project's route: [{ id, transition: "note", c_note }].
 */
import { randomUUID } from "node:crypto";
import { DatabaseSync } from "node:sqlite";
import Fastify from "fastify";
import { newRunId } from "../runtime/run-id.ts";
import { openSqliteStore, sqliteFile } from "../runtime/store/sqlite/index.ts";

const WORKSPACE = "default";
const APP = "FLOOR";
// The fields a FLOOR record has in the project: the base fields and the app's own (emptyFields).
const EMPTY = {
  title: null,
  state: null,
  description: null,
  assignees_list: null,
  attachments: null,
  c_json_data: null,
  c_note: null,
  c_count: null,
  c_hash: null,
};

const [dataDir, count = "8"] = process.argv.slice(2);
// The project's migrations make the schema (tables, indexes, triggers); then a plain connection.
await (await openSqliteStore(dataDir)).close();
const db = new DatabaseSync(sqliteFile(dataDir));
db.exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;");

const read = db.prepare("SELECT * FROM records WHERE workspace = ? AND id = ?");
const insert = db.prepare(
  "INSERT INTO records (id, workspace, app, number, revision, fields, creation_date, update_date) VALUES (?, ?, ?, ?, 1, ?, ?, ?)",
);
const update = db.prepare(
  "UPDATE records SET fields = ?, revision = revision + 1, update_date = ? WHERE workspace = ? AND id = ? AND revision = ?",
);
const history = db.prepare(
  "INSERT INTO record_history (record_id, workspace, app, revision, actor, action, transition, ts, changes, run_id, comment) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
);
const mark = db.prepare(
  "INSERT INTO run_commits (run_id, idempotency_key, actor, record_id, committed_at) VALUES (?, ?, ?, ?, ?)",
);
const readBack = db.prepare("SELECT * FROM records WHERE id = ?");
const runLog = db.prepare(
  "INSERT INTO action_runs (id, workspace, app, action, record_id, source, actor, started_at, finished_at, ok, error_code, error_message, logs, http_calls, cpu_ms, heap_mb, error_stack, new_record_values) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
);

const ids: string[] = [];
const now = new Date().toISOString();
for (let i = 0; i < Number(count); i++) {
  const id = randomUUID();
  insert.run(id, WORKSPACE, APP, i + 1, JSON.stringify(EMPTY), now, now);
  ids.push(id);
}

/** The same lines as the FLOOR app's `note` action. */
function note(entity: Record<string, any>): void {
  entity.c_count = (entity.c_count ?? 0) + 1;
  let hash = 0x811c9dc5;
  const text = `${entity.c_note ?? ""}#${entity.c_count}`;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193) >>> 0;
  entity.c_hash = hash.toString(16).padStart(8, "0");
}

function runNote(id: string, values: Record<string, unknown>) {
  const startedAt = new Date().toISOString();
  const row = read.get(WORKSPACE, id) as Record<string, any> | undefined;
  if (!row) return { successful: false, error: { code: "not_found" } };
  const before = JSON.parse(row.fields) as Record<string, unknown>;
  const fields: Record<string, any> = { ...before, ...values };
  note(fields);
  const changes = Object.keys(fields)
    .filter((key) => fields[key] !== before[key])
    .map((field) => ({ field, old: before[field] ?? null, new: fields[field] }));
  const runId = newRunId();
  const at = new Date().toISOString();
  db.exec("BEGIN IMMEDIATE");
  try {
    const done = update.run(JSON.stringify(fields), at, WORKSPACE, id, row.revision);
    if (done.changes !== 1) throw new Error("conflict");
    const revision = Number(row.revision) + 1;
    history.run(
      id,
      WORKSPACE,
      APP,
      revision,
      "bench",
      "note",
      "note",
      at,
      JSON.stringify(changes),
      runId,
      null,
    );
    mark.run(runId, null, "bench", id, at);
    const saved = readBack.get(id) as Record<string, any>;
    runLog.run(
      runId,
      WORKSPACE,
      APP,
      "note",
      id,
      "rest",
      "bench",
      startedAt,
      new Date().toISOString(),
      1,
      null,
      null,
      "[]",
      "[]",
      0,
      null,
      null,
      null,
    );
    db.exec("COMMIT");
    const record = JSON.parse(saved.fields);
    return {
      successful: true,
      updated: true,
      data: { id, number: saved.number, ...record, revision: saved.revision, update_date: saved.update_date },
      warnings: [],
      logs: [],
    };
  } catch (error) {
    if (db.isTransaction) db.exec("ROLLBACK");
    return { successful: false, error: { code: "conflict", message: String(error) } };
  }
}

const server = Fastify();
server.post<{ Body: { id: string; transition: string; [key: string]: unknown }[] }>(
  "/api/tickets/multi",
  async (request) =>
    request.body.map(({ id, transition: _transition, ...values }) => runNote(String(id), values)),
);
server.get("/api/common", async () => ({ ok: true }));
const url = await server.listen({ port: 0, host: "127.0.0.1" });
console.log(JSON.stringify({ url, ids }));
process.on("SIGTERM", () => {
  void server.close().then(() => {
    db.close();
    process.exit(0);
  });
});
