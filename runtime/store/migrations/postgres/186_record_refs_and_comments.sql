-- Issue 25: records are named `WS/APP123` (app alias + record number), attachments `WS/ATTACHMENT31`,
-- and a history entry keeps the comment its action was sent with.
-- Record numbers were assigned at creation from the `record-number:<app>` counter since 001; the
-- index makes "one number, one record per app" a rule of the database and the lookup by number fast.
CREATE UNIQUE INDEX records_by_number ON records (workspace, app, number);

ALTER TABLE record_history ADD COLUMN comment TEXT;

-- An attachment's number: files in the order they were stored, one counter for the whole store
-- (the files table has no workspace; a file belongs to the records that point at it).
ALTER TABLE files ADD COLUMN number BIGINT;
UPDATE files SET number = ordered.n
FROM (SELECT id, ROW_NUMBER() OVER (ORDER BY created_at, id) AS n FROM files) AS ordered
WHERE ordered.id = files.id;
CREATE UNIQUE INDEX files_by_number ON files (number);
INSERT INTO sequences (workspace, name, value)
SELECT '', 'attachment-number', COALESCE(MAX(number), 0) FROM files
ON CONFLICT (workspace, name) DO UPDATE SET value = GREATEST(sequences.value, excluded.value);
