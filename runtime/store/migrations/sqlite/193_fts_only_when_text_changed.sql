-- Issue 27: an update rewrites a record's search row only when its searched text changed. The
-- search row is a function of the record's top-level text values; rewriting it for every update
-- (a counter, a date, a lookup) cost ~4 of the ~19 pages an action's commit wrote to the WAL.
DROP TRIGGER records_fts_update;

CREATE TRIGGER records_fts_update AFTER UPDATE OF fields ON records
  WHEN (SELECT group_concat(value, ' ') FROM json_each(OLD.fields) WHERE type = 'text')
    IS NOT (SELECT group_concat(value, ' ') FROM json_each(NEW.fields) WHERE type = 'text')
BEGIN
  DELETE FROM records_fts WHERE rowid = OLD.rowid;
  INSERT INTO records_fts (rowid, body, record_id)
  VALUES (NEW.rowid, (SELECT group_concat(value, ' ') FROM json_each(NEW.fields) WHERE type = 'text'), NEW.id);
END;
