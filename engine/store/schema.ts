// SQLite schema of a store. One file holds many runs; a run holds its trials and the latest
// checkpoint of its strategy. `user_version` versions the schema so later changes can migrate.

export const SCHEMA_VERSION = 1;

export const SCHEMA_SQL = `
CREATE TABLE IF NOT EXISTS runs (
  id            INTEGER PRIMARY KEY AUTOINCREMENT,
  name          TEXT NOT NULL,
  workflow_file TEXT NOT NULL,
  workflow_text TEXT NOT NULL,
  workflow_hash TEXT NOT NULL,
  config        TEXT NOT NULL,            -- the resolved WorkflowConfig as JSON (absolute paths)
  status        TEXT NOT NULL CHECK (status IN ('running', 'complete', 'stopped', 'failed')),
  reason        TEXT,                     -- why it ended (budget, strategy done, error, ...)
  owner_pid     INTEGER,                  -- process running it, to refuse a second runner
  created_at    INTEGER NOT NULL,
  updated_at    INTEGER NOT NULL,
  elapsed_ms    INTEGER NOT NULL DEFAULT 0 -- wall time spent searching, over all sessions
);
CREATE TABLE IF NOT EXISTS trials (
  run_id      INTEGER NOT NULL REFERENCES runs(id),
  stage       TEXT NOT NULL DEFAULT '',
  number      INTEGER NOT NULL,
  key         TEXT NOT NULL,
  arch        TEXT NOT NULL,
  state       TEXT NOT NULL CHECK (state IN ('running', 'complete', 'pruned', 'failed')),
  metrics     TEXT NOT NULL DEFAULT '{}',
  seed        INTEGER NOT NULL,
  error       TEXT,
  curve       TEXT,
  attempts    INTEGER NOT NULL DEFAULT 1,
  info        TEXT,
  started_at  INTEGER NOT NULL,
  finished_at INTEGER,
  PRIMARY KEY (run_id, stage, number),
  UNIQUE (run_id, stage, key)
);
CREATE TABLE IF NOT EXISTS checkpoints (
  run_id     INTEGER NOT NULL REFERENCES runs(id),
  stage      TEXT NOT NULL DEFAULT '',
  state      TEXT NOT NULL,               -- engine + strategy state as JSON
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (run_id, stage)
);
`;
