-- One row per committed change set, written in the same transaction as the change itself: when a
-- connection drops during COMMIT, this row (or its absence) tells afterwards whether it committed.
-- `idempotency_key` makes a client's retry of the same request item commit at most once.
CREATE TABLE run_commits (
  run_id          TEXT PRIMARY KEY,
  idempotency_key TEXT UNIQUE,
  actor           TEXT NOT NULL,
  record_id       TEXT,
  committed_at    TEXT NOT NULL
);

-- The whole answer to a request sent with an Idempotency-Key, replayed to retries (kept 24 h).
CREATE TABLE idempotent_responses (
  scope_key    TEXT PRIMARY KEY,
  request_hash TEXT NOT NULL,
  status       INTEGER NOT NULL,
  body         TEXT NOT NULL,
  created_at   TEXT NOT NULL
);
CREATE INDEX idempotent_responses_by_age ON idempotent_responses (created_at);
