-- A run's recording for `comind-runtime replay` (runtime/actions/run-recording.ts): what the run
-- needs to be re-executed elsewhere, redacted. In a table of its own so run lists never read it.
CREATE TABLE run_recordings (
  run_id TEXT PRIMARY KEY,
  recording TEXT NOT NULL
);
