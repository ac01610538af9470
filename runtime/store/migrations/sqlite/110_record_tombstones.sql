-- A deleted record leaves a tombstone, so "changed since" and "deleted after" queries see deletes.
CREATE TABLE record_tombstones (
  id         TEXT PRIMARY KEY,
  workspace  TEXT NOT NULL,
  app        TEXT NOT NULL,
  number     INTEGER NOT NULL,
  deleted_at TEXT NOT NULL,
  actor      TEXT NOT NULL
);
CREATE INDEX record_tombstones_by_time ON record_tombstones (workspace, app, deleted_at);
