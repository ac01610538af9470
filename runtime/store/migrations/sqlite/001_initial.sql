-- Records of every app and workspace; custom and base field values live in `fields` (JSON).
CREATE TABLE records (
  id            TEXT PRIMARY KEY,
  workspace     TEXT NOT NULL,
  app           TEXT NOT NULL,
  number        INTEGER NOT NULL,
  revision      INTEGER NOT NULL,
  fields        TEXT NOT NULL,
  creation_date TEXT NOT NULL,
  update_date   TEXT NOT NULL
);
CREATE INDEX records_by_app ON records (workspace, app, update_date);

-- One entry per committed change of a record, with field-level diffs.
CREATE TABLE record_history (
  seq        INTEGER PRIMARY KEY AUTOINCREMENT,
  record_id  TEXT NOT NULL,
  workspace  TEXT NOT NULL,
  app        TEXT NOT NULL,
  revision   INTEGER NOT NULL,
  actor      TEXT NOT NULL,
  action     TEXT NOT NULL,
  transition TEXT NOT NULL,
  ts         TEXT NOT NULL,
  changes    TEXT NOT NULL,
  run_id     TEXT NOT NULL
);
CREATE INDEX record_history_by_record ON record_history (record_id, seq);

-- Named counters (record numbers per app, generateUniqueIdForPrefix).
CREATE TABLE sequences (
  workspace TEXT NOT NULL,
  name      TEXT NOT NULL,
  value     INTEGER NOT NULL,
  PRIMARY KEY (workspace, name)
);

-- Persisted files; the bytes are in the data folder's files/ directory under the id.
CREATE TABLE files (
  id           TEXT PRIMARY KEY,
  file_name    TEXT NOT NULL,
  content_type TEXT NOT NULL,
  size         INTEGER NOT NULL,
  sha256       TEXT NOT NULL,
  created_at   TEXT NOT NULL
);

-- Every action run, successful or not (kept even when the action's writes are rolled back).
CREATE TABLE action_runs (
  id            TEXT PRIMARY KEY,
  workspace     TEXT NOT NULL,
  app           TEXT NOT NULL,
  action        TEXT NOT NULL,
  record_id     TEXT,
  source        TEXT NOT NULL,
  actor         TEXT NOT NULL,
  started_at    TEXT NOT NULL,
  finished_at   TEXT NOT NULL,
  ok            INTEGER NOT NULL,
  error_code    TEXT,
  error_message TEXT,
  logs          TEXT NOT NULL,
  http_calls    TEXT NOT NULL
);
CREATE INDEX action_runs_by_app ON action_runs (workspace, app, started_at);
