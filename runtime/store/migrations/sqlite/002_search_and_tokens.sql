-- Full-text search over every text value of a record (title, description, text fields).
CREATE VIRTUAL TABLE records_fts USING fts5(body, record_id UNINDEXED, tokenize = 'unicode61 remove_diacritics 2');

CREATE TRIGGER records_fts_insert AFTER INSERT ON records BEGIN
  INSERT INTO records_fts (rowid, body, record_id)
  VALUES (NEW.rowid, (SELECT group_concat(value, ' ') FROM json_each(NEW.fields) WHERE type = 'text'), NEW.id);
END;

CREATE TRIGGER records_fts_update AFTER UPDATE OF fields ON records BEGIN
  DELETE FROM records_fts WHERE rowid = OLD.rowid;
  INSERT INTO records_fts (rowid, body, record_id)
  VALUES (NEW.rowid, (SELECT group_concat(value, ' ') FROM json_each(NEW.fields) WHERE type = 'text'), NEW.id);
END;

CREATE TRIGGER records_fts_delete AFTER DELETE ON records BEGIN
  DELETE FROM records_fts WHERE rowid = OLD.rowid;
END;

INSERT INTO records_fts (rowid, body, record_id)
SELECT rowid, (SELECT group_concat(value, ' ') FROM json_each(records.fields) WHERE type = 'text'), id FROM records;

-- API tokens (`Authorization: CMW_AUTH_CODE <token>`): only a SHA-256 of the token is kept.
CREATE TABLE auth_tokens (
  id           TEXT PRIMARY KEY,
  token_hash   TEXT NOT NULL UNIQUE,
  user_id      TEXT NOT NULL,
  user_name    TEXT NOT NULL,
  is_admin     INTEGER NOT NULL,
  created_at   TEXT NOT NULL
);
