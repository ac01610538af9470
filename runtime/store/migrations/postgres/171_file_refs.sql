-- Files follow their record (issue 22): who uploaded a file, and which records point at it.
-- A record points at a file when any of its fields holds a list of objects with a `file_uid`
-- (files-list fields such as `attachments`). A trigger keeps file_refs in step with records, so
-- every write path (actions, imports, CLI) is covered without the commit code knowing field types.
ALTER TABLE files ADD COLUMN uploaded_by TEXT;

CREATE TABLE file_refs (
  file_id   TEXT NOT NULL,
  record_id TEXT NOT NULL,
  workspace TEXT NOT NULL,
  app       TEXT NOT NULL,
  PRIMARY KEY (file_id, record_id)
);
CREATE INDEX file_refs_by_record ON file_refs (record_id);

CREATE FUNCTION file_refs_sync() RETURNS trigger AS $$
BEGIN
  -- The position() guards keep the cost at one substring scan for records without files.
  IF TG_OP <> 'INSERT' AND position('"file_uid"' in OLD.fields::text) > 0 THEN
    DELETE FROM file_refs WHERE record_id = OLD.id;
  END IF;
  IF TG_OP <> 'DELETE' AND position('"file_uid"' in NEW.fields::text) > 0 THEN
    INSERT INTO file_refs (file_id, record_id, workspace, app)
    SELECT DISTINCT e ->> 'file_uid', NEW.id, NEW.workspace, NEW.app
    FROM jsonb_each(NEW.fields) f,
      jsonb_array_elements(CASE WHEN jsonb_typeof(f.value) = 'array' THEN f.value ELSE '[]'::jsonb END) e
    WHERE jsonb_typeof(e) = 'object' AND jsonb_typeof(e -> 'file_uid') = 'string'
    ON CONFLICT DO NOTHING;
  END IF;
  RETURN NULL;
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER file_refs_sync AFTER INSERT OR UPDATE OF fields OR DELETE ON records
  FOR EACH ROW EXECUTE FUNCTION file_refs_sync();

-- Records written before this migration.
INSERT INTO file_refs (file_id, record_id, workspace, app)
SELECT DISTINCT e ->> 'file_uid', r.id, r.workspace, r.app
FROM records r, jsonb_each(r.fields) f,
  jsonb_array_elements(CASE WHEN jsonb_typeof(f.value) = 'array' THEN f.value ELSE '[]'::jsonb END) e
WHERE jsonb_typeof(e) = 'object' AND jsonb_typeof(e -> 'file_uid') = 'string'
ON CONFLICT DO NOTHING;
