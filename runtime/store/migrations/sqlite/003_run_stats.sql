-- CPU time and isolate heap of each run, for operators tracking heavy apps.
ALTER TABLE action_runs ADD COLUMN cpu_ms REAL;
ALTER TABLE action_runs ADD COLUMN heap_mb REAL;
