-- A failed run that was to create a record keeps the values it was sent, so the console can re-run
-- it as a new record; NULL for every other run.
ALTER TABLE action_runs ADD COLUMN new_record_values JSONB;
