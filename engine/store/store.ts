// The crash-safe store (SQLite through better-sqlite3, WAL). Every change that matters for resume
// (a trial proposed, a trial finished, and the strategy checkpoint that goes with it) is one
// transaction, so a kill -9 at any moment leaves trials and checkpoint consistent.
// synchronous=NORMAL in WAL mode survives process crashes; only a power loss may drop the last commits.

import Database from 'better-sqlite3';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { FatalError } from '../core/errors.js';
import type { Json, JsonObject, Metrics, StopCause, TrialRecord, TrialState, CurvePoint } from '../core/types.js';
import { ADDED_COLUMNS, MIGRATIONS, SCHEMA_SQL, SCHEMA_VERSION } from './schema.js';

export type RunStatus = 'running' | 'complete' | 'stopped' | 'failed';

export interface RunRow {
  id: number;
  name: string;
  workflowFile: string;
  workflowText: string;
  workflowHash: string;
  config: JsonObject;
  status: RunStatus;
  reason: string | null;
  ownerPid: number | null;
  createdAt: number;
  updatedAt: number;
  elapsedMs: number;
  /** What the engine learnt about the run as a whole (one-shot ranking quality), {} when nothing. */
  info: JsonObject;
}

export interface StagedTrial {
  stage: string;
  trial: TrialRecord;
}

export interface StageRow {
  stage: string;
  position: number;
  status: RunStatus;
  reason: string | null;
  /** Why it ended (null while running, or when it failed before the search began). */
  ended: StopCause | null;
  startedAt: number;
  finishedAt: number | null;
  /** Wall time spent searching in this stage, over all sessions. */
  elapsedMs: number;
}

export interface RejectedRecord {
  key: string;
  arch: Json;
  measured: Metrics;
  reason: string;
  at: number;
}

/** One thing a run depends on (table run_inputs; engine/search/inputs.ts collects them). */
export interface RunInput {
  kind: 'workflow' | 'extends' | 'dataset' | 'knowledge' | 'env';
  /** A file path, or an environment entry's name. */
  name: string;
  /** sha256 of a file's bytes ('missing' when it cannot be read); null for env entries. */
  hash: string | null;
  /** A workflow's or base's text, or an environment entry's value. */
  value: string | null;
}

export interface NewRun {
  name: string;
  workflowFile: string;
  workflowText: string;
  workflowHash: string;
  config: JsonObject;
}

export interface TrialDbRow {
  number: number;
  key: string;
  arch: string;
  state: TrialState;
  metrics: string;
  seed: number;
  error: string | null;
  curve: string | null;
  attempts: number;
  info: string | null;
  started_at: number;
  finished_at: number | null;
}

export interface RunDbRow {
  id: number;
  name: string;
  workflow_file: string;
  workflow_text: string;
  workflow_hash: string;
  config: string;
  status: RunStatus;
  reason: string | null;
  owner_pid: number | null;
  created_at: number;
  updated_at: number;
  elapsed_ms: number;
  info?: string | null;
}

export class Store {
  readonly db: Database.Database;

  private constructor(
    readonly path: string,
    db: Database.Database,
  ) {
    this.db = db;
  }

  /**
   * Opens a store file; ':memory:' for an in-memory store. `write` (run, resume) creates or upgrades
   * it; `read` (every command that only inspects) opens it read-only and never changes a byte of it.
   * Either way a file that is not one of our stores is refused by name before anything is changed,
   * and a damaged one gets one line that points at `sqlite3 .recover` or a backup.
   */
  static open(path: string, mode: 'write' | 'read' = 'write'): Store {
    const readOnly = mode === 'read';
    if (readOnly && path !== ':memory:' && !existsSync(path)) throw new FatalError(`store ${path} does not exist`);
    let db: Database.Database | undefined;
    try {
      if (!readOnly && path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
      db = new Database(path, readOnly ? { readonly: true, fileMustExist: true } : {});
      const version = db.pragma('user_version', { simple: true }) as number;
      assertOurs(db, path, version);
      if (version > SCHEMA_VERSION) {
        throw new FatalError(
          `store ${path} was written by a newer version (schema ${version} > ${SCHEMA_VERSION}); upgrade nas to read it`,
        );
      }
      if (readOnly) {
        if (version < SCHEMA_VERSION)
          throw new FatalError(
            `store ${path} was written by an older nas (schema ${version} < ${SCHEMA_VERSION}); ` +
              `nas resume --store ${path} upgrades it (read-only commands never change a store)`,
          );
        db.pragma('query_only = ON');
        return new Store(path, db);
      }
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      db.pragma('foreign_keys = ON');
      db.pragma('busy_timeout = 5000');
      const rw = db;
      // a store made before a table existed gets it from SCHEMA_SQL, and one made before a column was
      // added to an existing table gets the column here
      rw.transaction(() => {
        rw.exec(SCHEMA_SQL);
        for (const { table, column, definition } of ADDED_COLUMNS) {
          const columns = rw.prepare(`SELECT name FROM pragma_table_info('${table}')`).all() as { name: string }[];
          if (!columns.some((c) => c.name === column))
            rw.exec(`ALTER TABLE ${table} ADD COLUMN ${column} ${definition}`);
        }
        for (const m of MIGRATIONS) if (version < m.to) rw.exec(m.sql);
        rw.pragma(`user_version = ${SCHEMA_VERSION}`);
      })();
      return new Store(path, rw);
    } catch (e) {
      if (db?.open) db.close();
      if (e instanceof FatalError) throw e;
      throw new FatalError(storeProblem(path, e, readOnly), { cause: e });
    }
  }

  private readonly statements = new Map<string, Database.Statement>();

  /** A prepared statement, prepared once per store (the engine writes a few per trial). */
  private stmt(sql: string): Database.Statement {
    let s = this.statements.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.statements.set(sql, s);
    }
    return s;
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  /** Runs `fn` in one transaction that takes the write lock at once (a read-then-write that must not interleave). */
  immediate<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }

  /** Runs `fn` in one transaction (nested calls join the outer one). */
  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  createRun(run: NewRun): number {
    const now = Date.now();
    const info = this.stmt(
      `INSERT INTO runs (name, workflow_file, workflow_text, workflow_hash, config, status, owner_pid, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, 'running', ?, ?, ?)`,
    ).run(
      run.name,
      run.workflowFile,
      run.workflowText,
      run.workflowHash,
      JSON.stringify(run.config),
      process.pid,
      now,
      now,
    );
    return Number(info.lastInsertRowid);
  }

  getRun(id: number): RunRow | undefined {
    const row = this.stmt('SELECT * FROM runs WHERE id = ?').get(id) as RunDbRow | undefined;
    return row && toRun(row);
  }

  listRuns(): RunRow[] {
    return (this.stmt('SELECT * FROM runs ORDER BY id').all() as RunDbRow[]).map(toRun);
  }

  latestRun(): RunRow | undefined {
    const row = this.stmt('SELECT * FROM runs ORDER BY id DESC LIMIT 1').get() as RunDbRow | undefined;
    return row && toRun(row);
  }

  setRunStatus(id: number, status: RunStatus, reason: string | null): void {
    this.stmt('UPDATE runs SET status = ?, reason = ?, owner_pid = ?, updated_at = ? WHERE id = ?').run(
      status,
      reason,
      status === 'running' ? process.pid : null,
      Date.now(),
      id,
    );
  }

  /** Replaces the stored workflow (resume with a grown budget). */
  updateRunWorkflow(id: number, wf: Omit<NewRun, 'name'>): void {
    this.stmt(
      'UPDATE runs SET workflow_file = ?, workflow_text = ?, workflow_hash = ?, config = ?, updated_at = ? WHERE id = ?',
    ).run(wf.workflowFile, wf.workflowText, wf.workflowHash, JSON.stringify(wf.config), Date.now(), id);
  }

  /** Replaces what run `id` depends on (recorded when it starts, and again when resume takes an edited workflow). */
  saveInputs(id: number, inputs: readonly RunInput[]): void {
    this.transaction(() => {
      this.stmt('DELETE FROM run_inputs WHERE run_id = ?').run(id);
      const insert = this.stmt('INSERT INTO run_inputs (run_id, kind, name, hash, value) VALUES (?, ?, ?, ?, ?)');
      for (const i of inputs) insert.run(id, i.kind, i.name, i.hash, i.value);
    });
  }

  /** What run `id` depends on, in recording order; empty for runs made before schema 3. */
  inputs(id: number): RunInput[] {
    return this.stmt('SELECT kind, name, hash, value FROM run_inputs WHERE run_id = ? ORDER BY rowid').all(
      id,
    ) as RunInput[];
  }

  /** Adds search time to the run and, for a stage of a staged run, to that stage. */
  /** Merges `info` into the run's info (top-level keys replaced). */
  setRunInfo(id: number, info: JsonObject): void {
    const merged = { ...(this.getRun(id)?.info ?? {}), ...info };
    this.stmt('UPDATE runs SET info = ?, updated_at = ? WHERE id = ?').run(JSON.stringify(merged), Date.now(), id);
  }

  addElapsed(id: number, ms: number, stage = ''): void {
    this.stmt('UPDATE runs SET elapsed_ms = elapsed_ms + ?, updated_at = ? WHERE id = ?').run(
      Math.round(ms),
      Date.now(),
      id,
    );
    if (stage !== '')
      this.stmt('UPDATE stages SET elapsed_ms = elapsed_ms + ? WHERE run_id = ? AND stage = ?').run(
        Math.round(ms),
        id,
        stage,
      );
  }

  insertTrial(runId: number, stage: string, t: TrialRecord): void {
    this.stmt(
      `INSERT INTO trials (run_id, stage, number, key, arch, state, metrics, seed, error, curve, attempts, info, started_at, finished_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      runId,
      stage,
      t.number,
      t.key,
      JSON.stringify(t.arch),
      t.state,
      JSON.stringify(t.metrics),
      t.seed,
      t.error ?? null,
      t.curve ? JSON.stringify(t.curve) : null,
      t.attempts,
      t.info ? JSON.stringify(t.info) : null,
      t.startedAt,
      t.finishedAt ?? null,
    );
  }

  /** Writes the final state of a running trial. A final trial is never changed again. */
  finishTrial(runId: number, stage: string, t: TrialRecord): void {
    const res = this.stmt(
      `UPDATE trials SET state = ?, metrics = ?, error = ?, curve = ?, attempts = ?, info = ?, finished_at = ?
         WHERE run_id = ? AND stage = ? AND number = ? AND state = 'running'`,
    ).run(
      t.state,
      JSON.stringify(t.metrics),
      t.error ?? null,
      t.curve ? JSON.stringify(t.curve) : null,
      t.attempts,
      t.info ? JSON.stringify(t.info) : null,
      t.finishedAt ?? Date.now(),
      runId,
      stage,
      t.number,
    );
    if (res.changes !== 1)
      throw new FatalError(`trial ${t.number} of run ${runId} is not running; it cannot be finished twice`);
  }

  /** The trials of one stage of a run ('' is the whole of a single-stage run), by number. */
  trials(runId: number, stage: string): TrialRecord[] {
    const rows = this.stmt('SELECT * FROM trials WHERE run_id = ? AND stage = ? ORDER BY number').all(
      runId,
      stage,
    ) as TrialDbRow[];
    return rows.map(toTrial);
  }

  /** Every trial of a run, all stages, in stage order of first appearance then number. */
  allTrials(runId: number): StagedTrial[] {
    const rows = this.stmt('SELECT * FROM trials WHERE run_id = ? ORDER BY started_at, stage, number').all(
      runId,
    ) as (TrialDbRow & { stage: string })[];
    return rows.map((r) => ({ stage: r.stage, trial: toTrial(r) }));
  }

  /** Trial counts of one stage, or of the whole run when `stage` is omitted. */
  trialCounts(runId: number, stage?: string): Record<TrialState, number> {
    const counts: Record<TrialState, number> = { running: 0, complete: 0, pruned: 0, failed: 0 };
    const rows = (
      stage === undefined
        ? this.stmt('SELECT state, COUNT(*) AS n FROM trials WHERE run_id = ? GROUP BY state').all(runId)
        : this.stmt('SELECT state, COUNT(*) AS n FROM trials WHERE run_id = ? AND stage = ? GROUP BY state').all(
            runId,
            stage,
          )
    ) as { state: TrialState; n: number }[];
    for (const r of rows) counts[r.state] = r.n;
    return counts;
  }

  /** Records that a stage started (first time) or ended, and why it ended. */
  setStageStatus(
    runId: number,
    stage: string,
    position: number,
    status: RunStatus,
    reason: string | null,
    ended: StopCause | null = null,
  ): void {
    const now = Date.now();
    this.stmt(
      `INSERT INTO stages (run_id, stage, position, status, reason, ended, started_at, finished_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (run_id, stage) DO UPDATE SET status = excluded.status, reason = excluded.reason, ended = excluded.ended, finished_at = excluded.finished_at`,
    ).run(runId, stage, position, status, reason, ended, now, status === 'running' ? null : now);
  }

  stages(runId: number): StageRow[] {
    const rows = this.stmt('SELECT * FROM stages WHERE run_id = ? ORDER BY position').all(runId) as {
      stage: string;
      position: number;
      status: RunStatus;
      reason: string | null;
      ended: StopCause | null;
      started_at: number;
      finished_at: number | null;
      elapsed_ms: number;
    }[];
    return rows.map((r) => ({
      stage: r.stage,
      position: r.position,
      status: r.status,
      reason: r.reason,
      ended: r.ended,
      startedAt: r.started_at,
      finishedAt: r.finished_at,
      elapsedMs: r.elapsed_ms,
    }));
  }

  /** A trial's metrics on the held-out test split (written once: a second evaluation is ignored). */
  insertTestResult(runId: number, stage: string, trial: number, metrics: Metrics): void {
    this.stmt('INSERT OR IGNORE INTO test_results (run_id, stage, trial, metrics, at) VALUES (?, ?, ?, ?, ?)').run(
      runId,
      stage,
      trial,
      JSON.stringify(metrics),
      Date.now(),
    );
  }

  /** Test-split metrics of one stage's trials, by trial number. */
  testResults(runId: number, stage: string): Map<number, Metrics> {
    const rows = this.stmt('SELECT trial, metrics FROM test_results WHERE run_id = ? AND stage = ?').all(
      runId,
      stage,
    ) as { trial: number; metrics: string }[];
    return new Map(rows.map((r) => [r.trial, JSON.parse(r.metrics) as Metrics]));
  }

  /** A candidate the constraints rejected before evaluation (recorded once per key and stage). */
  insertRejected(runId: number, stage: string, r: RejectedRecord): void {
    this.stmt(
      'INSERT OR IGNORE INTO rejected (run_id, stage, key, arch, measured, reason, at) VALUES (?, ?, ?, ?, ?, ?, ?)',
    ).run(runId, stage, r.key, JSON.stringify(r.arch), JSON.stringify(r.measured), r.reason, r.at);
  }

  /** Rejected candidates of one stage, or of the whole run when `stage` is omitted. */
  rejected(runId: number, stage?: string): (RejectedRecord & { stage: string })[] {
    const rows = (
      stage === undefined
        ? this.stmt('SELECT * FROM rejected WHERE run_id = ? ORDER BY at').all(runId)
        : this.stmt('SELECT * FROM rejected WHERE run_id = ? AND stage = ? ORDER BY at').all(runId, stage)
    ) as { stage: string; key: string; arch: string; measured: string; reason: string; at: number }[];
    return rows.map((r) => ({
      stage: r.stage,
      key: r.key,
      arch: JSON.parse(r.arch) as Json,
      measured: JSON.parse(r.measured) as Metrics,
      reason: r.reason,
      at: r.at,
    }));
  }

  saveCheckpoint(runId: number, stage: string, state: Json): void {
    this.stmt(
      `INSERT INTO checkpoints (run_id, stage, state, updated_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (run_id, stage) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at`,
    ).run(runId, stage, JSON.stringify(state), Date.now());
  }

  loadCheckpoint(runId: number, stage = ''): Json | undefined {
    const row = this.stmt('SELECT state FROM checkpoints WHERE run_id = ? AND stage = ?').get(runId, stage) as
      { state: string } | undefined;
    return row ? (JSON.parse(row.state) as Json) : undefined;
  }
}

export function toRun(r: RunDbRow): RunRow {
  return {
    id: r.id,
    name: r.name,
    workflowFile: r.workflow_file,
    workflowText: r.workflow_text,
    workflowHash: r.workflow_hash,
    config: JSON.parse(r.config) as JsonObject,
    status: r.status,
    reason: r.reason,
    ownerPid: r.owner_pid,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    elapsedMs: r.elapsed_ms,
    info: r.info ? (JSON.parse(r.info) as JsonObject) : {},
  };
}

export function toTrial(r: TrialDbRow): TrialRecord {
  const t: TrialRecord = {
    number: r.number,
    key: r.key,
    arch: JSON.parse(r.arch) as Json,
    state: r.state,
    metrics: JSON.parse(r.metrics) as Metrics,
    seed: r.seed,
    attempts: r.attempts,
    startedAt: r.started_at,
  };
  if (r.error !== null) t.error = r.error;
  if (r.curve !== null) t.curve = JSON.parse(r.curve) as CurvePoint[];
  if (r.info !== null) t.info = JSON.parse(r.info) as JsonObject;
  if (r.finished_at !== null) t.finishedAt = r.finished_at;
  return t;
}

/** Tables every store of ours has had since schema 1. */
const OUR_TABLES = ['runs', 'trials', 'checkpoints'];

/**
 * Refuses a database that is not one of our stores: any tables but not ours, or ours under a
 * user_version we never wrote. An empty database (a new file) is fine.
 */
/** Throws a one-line FatalError, touching nothing, when `db` is neither empty nor one of our stores. */
export function assertOurs(db: Database.Database, path: string, version: number): void {
  const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map(
    (t) => t.name,
  );
  const empty = tables.filter((t) => !t.startsWith('sqlite_')).length === 0;
  if (empty && version === 0) return;
  if (version >= 1 && OUR_TABLES.every((t) => tables.includes(t))) return;
  throw new FatalError(
    `${path} is not a nas store (a SQLite database with ${empty ? 'no tables' : `tables ${tables.slice(0, 5).join(', ')}`}); ` +
      'it was left untouched: name a store written by nas run, or a new file',
  );
}

/** One line for a store SQLite cannot open or read. */
export function storeProblem(path: string, e: unknown, readOnly: boolean): string {
  const err = e as { code?: string; message?: string };
  const code = String(err.code ?? '');
  const why = String(err.message ?? e);
  if (code === 'SQLITE_NOTADB') return `${path} is not a nas store (not a SQLite database); it was left untouched`;
  if (code === 'SQLITE_CORRUPT' || code.startsWith('SQLITE_IOERR'))
    return `store ${path} is damaged (${why}); recover what it holds with \`sqlite3 ${path} .recover\`, or restore a backup`;
  if (code === 'SQLITE_READONLY' || code === 'SQLITE_CANTOPEN' || code === 'EACCES' || code === 'EROFS')
    return readOnly
      ? `cannot read store ${path} (${why})`
      : `cannot write store ${path} (${why}); a run needs write access to the store and its directory`;
  return `cannot open store ${path} (${why}); if it is damaged, try \`sqlite3 ${path} .recover\` or restore a backup`;
}
