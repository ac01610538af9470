-- The job queue's state beside the records (runtime/queue). queue_runs: one row per async run
-- (async triggers, enqueued jobs, schedule ticks, webhooks) with its status and outcome;
-- committed_at is set in the same transaction as the run's writes, so a retry never applies twice.
CREATE TABLE queue_runs (
  run_id TEXT PRIMARY KEY,
  workspace TEXT NOT NULL,
  app TEXT NOT NULL,
  action TEXT NOT NULL,
  record_id TEXT,
  source TEXT NOT NULL,
  actor TEXT NOT NULL,
  status TEXT NOT NULL,
  attempt INTEGER NOT NULL,
  max_attempts INTEGER NOT NULL,
  job_key TEXT,
  spec TEXT NOT NULL,
  result TEXT,
  error_code TEXT,
  error_message TEXT,
  committed_at TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
-- `key` dedupes: one pending (queued or running) run per key and workspace.
CREATE UNIQUE INDEX queue_runs_pending_key ON queue_runs (workspace, job_key)
  WHERE job_key IS NOT NULL AND status IN ('queued', 'running');
CREATE INDEX queue_runs_by_app ON queue_runs (workspace, app, created_at);
CREATE INDEX queue_runs_by_status ON queue_runs (status, created_at);

-- The embedded runner's jobs (Postgres uses graphile-worker's own tables instead).
CREATE TABLE queue_jobs (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  run_id TEXT NOT NULL,
  attempt INTEGER NOT NULL,
  run_at INTEGER NOT NULL,
  locked_at INTEGER,
  locked_by TEXT
);
CREATE INDEX queue_jobs_due ON queue_jobs (run_at, id);

-- One row per schedule tick: whichever node inserts it runs the tick.
CREATE TABLE schedule_ticks (
  schedule TEXT NOT NULL,
  tick TEXT NOT NULL,
  claimed_at TEXT NOT NULL,
  PRIMARY KEY (schedule, tick)
);

-- Webhook signatures seen in the last minutes (replay protection).
CREATE TABLE webhook_deliveries (
  signature TEXT PRIMARY KEY,
  received_at TEXT NOT NULL
);
CREATE INDEX webhook_deliveries_age ON webhook_deliveries (received_at);
