-- CPU time and isolate heap of each run, for operators tracking heavy apps.
ALTER TABLE action_runs ADD COLUMN cpu_ms DOUBLE PRECISION;
ALTER TABLE action_runs ADD COLUMN heap_mb DOUBLE PRECISION;
