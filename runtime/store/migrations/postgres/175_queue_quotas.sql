-- Enqueue quotas and fair scheduling (runtime/queue/quotas.ts, issue 22). The pending limits count
-- a user's and an app's queued + running runs on every enqueue: this partial index holds only
-- those runs, so the count reads at most limit + 1 small index entries whatever the history.
-- `priority` is the run's place in the fair order, reused by its retries.
ALTER TABLE queue_runs ADD COLUMN priority INTEGER NOT NULL DEFAULT 0;
CREATE INDEX queue_runs_pending ON queue_runs (workspace, app, actor) WHERE status IN ('queued', 'running');
