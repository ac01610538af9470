-- Users, groups and who may do what: `currentUser`, the CLI's `users` / `groups` / `access`
-- commands and the one access check (runtime/access). Booleans are 0/1 on both engines.
CREATE TABLE users (
  id              TEXT PRIMARY KEY,
  email           TEXT UNIQUE,
  name            TEXT NOT NULL,
  time_zone       TEXT,
  company_id      TEXT,
  is_global_admin INTEGER NOT NULL DEFAULT 0,
  created_at      TEXT NOT NULL
);

CREATE TABLE user_groups (
  name        TEXT PRIMARY KEY,
  description TEXT,
  created_at  TEXT NOT NULL
);

CREATE TABLE group_members (
  group_name TEXT NOT NULL REFERENCES user_groups (name) ON DELETE CASCADE,
  user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  PRIMARY KEY (group_name, user_id)
);

CREATE TABLE workspace_admins (
  workspace TEXT NOT NULL,
  user_id   TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  PRIMARY KEY (workspace, user_id)
);

-- Nothing listed for an app = every signed-in user may read, write and run its actions.
CREATE TABLE app_permissions (
  workspace  TEXT NOT NULL,
  app        TEXT NOT NULL,
  group_name TEXT NOT NULL REFERENCES user_groups (name) ON DELETE CASCADE,
  permission TEXT NOT NULL CHECK (permission IN ('read', 'write', 'run')),
  PRIMARY KEY (workspace, app, group_name, permission)
);

-- Random keys the runtime makes once per store (e.g. the access-pass signing key).
CREATE TABLE runtime_keys (
  name       TEXT PRIMARY KEY,
  value      TEXT NOT NULL,
  created_at TEXT NOT NULL
);
