// SQLite schema of a store. One file holds many runs; a run holds its trials and the latest
// checkpoint of its strategy (per stage), its stages' progress and the candidates constraints rejected.
// Tables added later are created with IF NOT EXISTS, so older stores open unchanged. `user_version` versions the schema so later changes can migrate.

export const SCHEMA_VERSION = 3;

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
-- Multi-stage runs: one row per stage once it started; a stage marked complete is not run again.
CREATE TABLE IF NOT EXISTS stages (
  run_id      INTEGER NOT NULL REFERENCES runs(id),
  stage       TEXT NOT NULL,
  position    INTEGER NOT NULL,           -- 0-based order in the workflow
  status      TEXT NOT NULL CHECK (status IN ('running', 'complete', 'stopped', 'failed')),
  reason      TEXT,
  started_at  INTEGER NOT NULL,
  finished_at INTEGER,
  elapsed_ms  INTEGER NOT NULL DEFAULT 0, -- wall time spent searching in this stage, over all sessions (schema 2)
  ended       TEXT,                       -- why it ended, a StopCause (schema 3)
  PRIMARY KEY (run_id, stage)
);
-- Candidates rejected by hard constraints before evaluation: recorded, never counted as trials.
CREATE TABLE IF NOT EXISTS rejected (
  run_id   INTEGER NOT NULL REFERENCES runs(id),
  stage    TEXT NOT NULL DEFAULT '',
  key      TEXT NOT NULL,
  arch     TEXT NOT NULL,
  measured TEXT NOT NULL,                 -- what was measured before evaluation (params, flops, latency)
  reason   TEXT NOT NULL,
  at       INTEGER NOT NULL,
  PRIMARY KEY (run_id, stage, key)
);
-- What a run depends on (schema 3): its workflow and extends texts, content hashes of its dataset and
-- knowledge files, and the environment (package versions, backend, Node, platform, CPU architecture).
CREATE TABLE IF NOT EXISTS run_inputs (
  run_id INTEGER NOT NULL REFERENCES runs(id),
  kind   TEXT NOT NULL CHECK (kind IN ('workflow', 'extends', 'dataset', 'knowledge', 'env')),
  name   TEXT NOT NULL,                   -- file path, or the environment entry's name
  hash   TEXT,                            -- sha256 of a file's bytes ('missing' when unreadable)
  value  TEXT,                            -- a workflow's or base's text, an environment entry's value
  PRIMARY KEY (run_id, kind, name)
);
-- The held-out test split (dataset.split.test): metrics of the top trials, evaluated once after the search.
CREATE TABLE IF NOT EXISTS test_results (
  run_id   INTEGER NOT NULL REFERENCES runs(id),
  stage    TEXT NOT NULL DEFAULT '',
  trial    INTEGER NOT NULL,
  metrics  TEXT NOT NULL,
  at       INTEGER NOT NULL,
  PRIMARY KEY (run_id, stage, trial)
);
`;

/** Columns added to existing tables after their first version: added on open where missing. */
export const ADDED_COLUMNS: { table: string; column: string; definition: string }[] = [
  { table: 'stages', column: 'elapsed_ms', definition: 'INTEGER NOT NULL DEFAULT 0' }, // schema 2
  { table: 'stages', column: 'ended', definition: 'TEXT' }, // schema 3
  // what the engine learnt about the run as a whole, as JSON (one-shot ranking quality); NULL: nothing
  { table: 'runs', column: 'info', definition: 'TEXT' },
];

/**
 * Data migrations run once when a store of an older schema is opened (after ADDED_COLUMNS).
 * Schema 3: stages ended by a budget before `ended` existed get it from the reason they recorded.
 */
export const MIGRATIONS: { to: number; sql: string }[] = [
  {
    to: 3,
    sql: `UPDATE stages SET ended = 'trial-budget' WHERE ended IS NULL AND reason LIKE 'trial budget%';
          UPDATE stages SET ended = 'stage-time' WHERE ended IS NULL AND reason LIKE 'stage time budget%';
          UPDATE stages SET ended = 'time-budget' WHERE ended IS NULL AND reason LIKE 'time budget%';`,
  },
];
