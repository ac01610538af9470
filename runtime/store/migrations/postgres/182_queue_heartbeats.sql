-- Heartbeats of the job runners' graphile-worker pools (runtime/queue/graphile-heartbeat.ts): each
-- running pool's row is touched every few seconds by its node; a row older than the dead-after
-- time belongs to a dead node, whose job locks (and record queues) another node then releases at
-- once instead of after the lock timeout. Times are the database's own clock (now()), written and
-- compared there, so nodes' clocks never matter. Postgres only: SQLite's queue has one node.
CREATE TABLE queue_heartbeats (
  pool_id TEXT PRIMARY KEY,
  node TEXT NOT NULL,
  started_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  beat_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
