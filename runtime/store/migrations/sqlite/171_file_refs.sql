-- Files follow their record (issue 22): who uploaded a file, and which records point at it.
-- A record points at a file when any of its fields holds a list of objects with a `file_uid`
-- (files-list fields such as `attachments`). Triggers keep file_refs in step with records, so every
-- write path (actions, imports, CLI) is covered without the commit code knowing field types.
ALTER TABLE files ADD COLUMN uploaded_by TEXT;

CREATE TABLE file_refs (
  file_id   TEXT NOT NULL,
  record_id TEXT NOT NULL,
  workspace TEXT NOT NULL,
  app       TEXT NOT NULL,
  PRIMARY KEY (file_id, record_id)
);
CREATE INDEX file_refs_by_record ON file_refs (record_id);

-- The `instr` guards keep the cost at one substring scan for records without files.
CREATE TRIGGER file_refs_insert AFTER INSERT ON records WHEN instr(NEW.fields, '"file_uid"') > 0 BEGIN
  INSERT OR IGNORE INTO file_refs (file_id, record_id, workspace, app)
  SELECT json_extract(e.value, '$.file_uid'), NEW.id, NEW.workspace, NEW.app
  FROM json_each(NEW.fields) f, json_each(CASE WHEN f.type = 'array' THEN f.value ELSE '[]' END) e
  WHERE e.type = 'object' AND json_type(e.value, '$.file_uid') = 'text';
END;

CREATE TRIGGER file_refs_update AFTER UPDATE OF fields ON records
  WHEN instr(OLD.fields, '"file_uid"') > 0 OR instr(NEW.fields, '"file_uid"') > 0 BEGIN
  DELETE FROM file_refs WHERE record_id = OLD.id;
  INSERT OR IGNORE INTO file_refs (file_id, record_id, workspace, app)
  SELECT json_extract(e.value, '$.file_uid'), NEW.id, NEW.workspace, NEW.app
  FROM json_each(NEW.fields) f, json_each(CASE WHEN f.type = 'array' THEN f.value ELSE '[]' END) e
  WHERE e.type = 'object' AND json_type(e.value, '$.file_uid') = 'text';
END;

CREATE TRIGGER file_refs_delete AFTER DELETE ON records WHEN instr(OLD.fields, '"file_uid"') > 0 BEGIN
  DELETE FROM file_refs WHERE record_id = OLD.id;
END;

-- Records written before this migration.
INSERT OR IGNORE INTO file_refs (file_id, record_id, workspace, app)
SELECT json_extract(e.value, '$.file_uid'), r.id, r.workspace, r.app
FROM records r, json_each(r.fields) f, json_each(CASE WHEN f.type = 'array' THEN f.value ELSE '[]' END) e
WHERE instr(r.fields, '"file_uid"') > 0 AND e.type = 'object' AND json_type(e.value, '$.file_uid') = 'text';
