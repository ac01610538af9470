-- A stable id per installed app (clients address apps by id: /api/aid/{id}/...).
CREATE TABLE app_ids (
  workspace  TEXT NOT NULL,
  alias      TEXT NOT NULL,
  id         TEXT NOT NULL UNIQUE,
  created_at TEXT NOT NULL,
  PRIMARY KEY (workspace, alias)
);
