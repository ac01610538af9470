-- Records of every app and workspace; base and custom field values live in `fields` (JSONB).
CREATE TABLE records (
  seq           BIGSERIAL UNIQUE,
  id            TEXT PRIMARY KEY,
  workspace     TEXT NOT NULL,
  app           TEXT NOT NULL,
  number        INTEGER NOT NULL,
  revision      INTEGER NOT NULL,
  fields        JSONB NOT NULL,
  creation_date TEXT NOT NULL,
  update_date   TEXT NOT NULL,
  search        TSVECTOR
);
CREATE INDEX records_by_app ON records (workspace, app, update_date);
CREATE INDEX records_search ON records USING GIN (search);

-- Full-text search over every text value of a record ('simple': no stemming, like SQLite's FTS5).
CREATE FUNCTION records_search_vector() RETURNS trigger AS $$
BEGIN
  NEW.search := to_tsvector('simple', coalesce((SELECT string_agg(value, ' ') FROM jsonb_each_text(NEW.fields) AS f(key, value)
    WHERE jsonb_typeof(NEW.fields -> f.key) = 'string'), ''));
  RETURN NEW;
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER records_search_update BEFORE INSERT OR UPDATE OF fields ON records
  FOR EACH ROW EXECUTE FUNCTION records_search_vector();

-- One entry per committed change of a record, with field-level diffs.
CREATE TABLE record_history (
  seq        BIGSERIAL PRIMARY KEY,
  record_id  TEXT NOT NULL,
  workspace  TEXT NOT NULL,
  app        TEXT NOT NULL,
  revision   INTEGER NOT NULL,
  actor      TEXT NOT NULL,
  action     TEXT NOT NULL,
  transition TEXT NOT NULL,
  ts         TEXT NOT NULL,
  changes    JSONB NOT NULL,
  run_id     TEXT NOT NULL
);
CREATE INDEX record_history_by_record ON record_history (record_id, seq);

-- Named counters (record numbers per app, generateUniqueIdForPrefix).
CREATE TABLE sequences (
  workspace TEXT NOT NULL,
  name      TEXT NOT NULL,
  value     BIGINT NOT NULL,
  PRIMARY KEY (workspace, name)
);

-- Persisted files; the bytes live in file_blobs so every runtime node sharing the database sees them.
CREATE TABLE files (
  id           TEXT PRIMARY KEY,
  file_name    TEXT NOT NULL,
  content_type TEXT NOT NULL,
  size         BIGINT NOT NULL,
  sha256       TEXT NOT NULL,
  created_at   TEXT NOT NULL
);
CREATE TABLE file_blobs (
  id    TEXT PRIMARY KEY REFERENCES files (id) ON DELETE CASCADE,
  bytes BYTEA NOT NULL
);

-- Every action run, successful or not (kept even when the action's writes are rolled back).
CREATE TABLE action_runs (
  seq           BIGSERIAL UNIQUE,
  id            TEXT PRIMARY KEY,
  workspace     TEXT NOT NULL,
  app           TEXT NOT NULL,
  action        TEXT NOT NULL,
  record_id     TEXT,
  source        TEXT NOT NULL,
  actor         TEXT NOT NULL,
  started_at    TEXT NOT NULL,
  finished_at   TEXT NOT NULL,
  ok            BOOLEAN NOT NULL,
  error_code    TEXT,
  error_message TEXT,
  logs          JSONB NOT NULL,
  http_calls    JSONB NOT NULL
);
CREATE INDEX action_runs_by_app ON action_runs (workspace, app, started_at);

-- API tokens (`Authorization: CMW_AUTH_CODE <token>`): only a SHA-256 of the token is kept.
CREATE TABLE auth_tokens (
  id         TEXT PRIMARY KEY,
  token_hash TEXT NOT NULL UNIQUE,
  user_id    TEXT NOT NULL,
  user_name  TEXT NOT NULL,
  is_admin   BOOLEAN NOT NULL,
  created_at TEXT NOT NULL
);
