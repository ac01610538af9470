-- The run console shows a failed run's TypeScript stack and the field diffs a run committed.
ALTER TABLE action_runs ADD COLUMN error_stack TEXT;
CREATE INDEX record_history_by_run ON record_history (run_id);
CREATE INDEX action_runs_by_start ON action_runs (workspace, started_at);
