-- The retention job (runtime/jobs/retention.ts) walks the run log and the queue's finished runs
-- oldest first, in small batches keyed by (time, id): these indexes let each batch start where the
-- last one stopped instead of rescanning the rows it kept.
CREATE INDEX action_runs_by_age ON action_runs (started_at, id);
CREATE INDEX queue_runs_by_age ON queue_runs (updated_at, run_id);
