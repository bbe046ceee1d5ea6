// Read-only access to a store while a run may be writing it (the dashboard). The file is opened
// with SQLITE_OPEN_READONLY: no schema changes, no pragmas that write, never a lock that would block
// the writer; WAL lets it read a consistent snapshot per statement while the run commits.

import Database from 'better-sqlite3';
import { FatalError } from '../core/errors.js';
import type { TrialState } from '../core/types.js';
import {
  assertOurs,
  storeProblem,
  toRun,
  toTrial,
  type RunDbRow,
  type RunRow,
  type StagedTrial,
  type StageRow,
  type TrialDbRow,
} from './store.js';
import type { JsonObject, TrialRecord } from '../core/types.js';

export interface TrialQuery {
  run: number;
  stage?: string;
  states?: TrialState[];
  /** Only trials whose `metric` lies in [min, max]. */
  metric?: string;
  min?: number;
  max?: number;
  /** 'number', 'state', 'started', 'finished', 'stage' or 'metric:<name>'. */
  sort?: string;
  desc?: boolean;
  offset?: number;
  limit?: number;
}

export interface TrialRow extends TrialRecord {
  stage: string;
}

const SORTS: Record<string, string> = {
  number: 'number',
  state: 'state',
  started: 'started_at',
  finished: 'finished_at',
  stage: 'stage',
  key: 'key',
};

export class StoreReader {
  private readonly db: Database.Database;
  private readonly statements = new Map<string, Database.Statement>();

  constructor(readonly path: string) {
    let db: Database.Database | undefined;
    try {
      db = new Database(path, { readonly: true, fileMustExist: true });
      // the same refusal as every other command: a file that is not our store is left untouched
      assertOurs(db, path, db.pragma('user_version', { simple: true }) as number);
    } catch (e) {
      if (db?.open) db.close();
      if (e instanceof FatalError) throw e;
      throw new FatalError(storeProblem(path, e, true), { cause: e });
    }
    this.db = db;
    this.db.pragma('busy_timeout = 2000');
  }

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

  /** Changes whenever another connection commits (cheap to poll). */
  dataVersion(): number {
    return this.db.pragma('data_version', { simple: true }) as number;
  }

  runs(): RunRow[] {
    return (this.stmt('SELECT * FROM runs ORDER BY id').all() as RunDbRow[]).map(toRun);
  }

  run(id: number): RunRow | undefined {
    const row = this.stmt('SELECT * FROM runs WHERE id = ?').get(id) as RunDbRow | undefined;
    return row && toRun(row);
  }

  stages(runId: number): StageRow[] {
    const rows = this.stmt('SELECT * FROM stages WHERE run_id = ? ORDER BY position').all(runId) as {
      stage: string;
      position: number;
      status: StageRow['status'];
      reason: string | null;
      ended: StageRow['ended'] | undefined;
      started_at: number;
      finished_at: number | null;
      elapsed_ms: number;
    }[];
    return rows.map((r) => ({
      stage: r.stage,
      position: r.position,
      status: r.status,
      ended: r.ended ?? null, // stores older than schema 3, read without migrating them
      reason: r.reason,
      startedAt: r.started_at,
      finishedAt: r.finished_at,
      elapsedMs: r.elapsed_ms,
    }));
  }

  counts(runId: number): Record<TrialState, number> {
    const counts: Record<TrialState, number> = { running: 0, complete: 0, pruned: 0, failed: 0 };
    const rows = this.stmt('SELECT state, COUNT(*) AS n FROM trials WHERE run_id = ? GROUP BY state').all(runId) as {
      state: TrialState;
      n: number;
    }[];
    for (const r of rows) counts[r.state] = r.n;
    return counts;
  }

  /** Every trial of a run, all stages. */
  allTrials(runId: number): TrialRow[] {
    const rows = this.stmt('SELECT * FROM trials WHERE run_id = ? ORDER BY started_at, stage, number').all(
      runId,
    ) as (TrialDbRow & { stage: string })[];
    return rows.map((r) => ({ ...toTrial(r), stage: r.stage }));
  }

  trial(runId: number, stage: string, number: number): TrialRow | undefined {
    const r = this.stmt('SELECT * FROM trials WHERE run_id = ? AND stage = ? AND number = ?').get(
      runId,
      stage,
      number,
    ) as (TrialDbRow & { stage: string }) | undefined;
    return r && { ...toTrial(r), stage: r.stage };
  }

  /**
   * Light columns of every trial of a run (no arch or curve; of its info only the job, what
   * isSupernetTrial reads): for plots over many trials.
   */
  columns(runId: number): {
    stage: string;
    number: number;
    state: TrialState;
    metrics: Record<string, number>;
    startedAt: number;
    finishedAt: number | null;
    info?: { job: string };
  }[] {
    const rows = this.stmt(
      "SELECT stage, number, state, metrics, started_at, finished_at, json_extract(info, '$.job') AS job FROM trials WHERE run_id = ? ORDER BY started_at, stage, number",
    ).all(runId) as {
      stage: string;
      number: number;
      state: TrialState;
      metrics: string;
      started_at: number;
      finished_at: number | null;
      job: string | null;
    }[];
    return rows.map((r) => ({
      stage: r.stage,
      number: r.number,
      state: r.state,
      metrics: JSON.parse(r.metrics) as Record<string, number>,
      startedAt: r.started_at,
      finishedAt: r.finished_at,
      ...(typeof r.job === 'string' ? { info: { job: r.job } } : {}),
    }));
  }

  /** Key and info of every trial of a run (what lineage follows), without the heavy columns. */
  lineageRows(runId: number): StagedTrial[] {
    const rows = this.stmt('SELECT stage, number, key, state, seed, started_at, info FROM trials WHERE run_id = ?').all(
      runId,
    ) as {
      stage: string;
      number: number;
      key: string;
      state: TrialState;
      seed: number;
      started_at: number;
      info: string | null;
    }[];
    return rows.map((r) => ({
      stage: r.stage,
      trial: {
        number: r.number,
        key: r.key,
        arch: null,
        state: r.state,
        metrics: {},
        seed: r.seed,
        attempts: 1,
        startedAt: r.started_at,
        ...(r.info !== null ? { info: JSON.parse(r.info) as JsonObject } : {}),
      },
    }));
  }

  /** How many trials of each stage were seeded from another stage, or mutated from a parent. */
  lineageCounts(runId: number): { stage: string; from: string; via: 'from' | 'parent'; n: number }[] {
    return this.stmt(
      `SELECT stage, json_extract(info, '$.from.stage') AS "from", 'from' AS via, COUNT(*) AS n FROM trials
         WHERE run_id = ? AND json_extract(info, '$.from.stage') IS NOT NULL GROUP BY 1, 2
       UNION ALL
       SELECT stage, stage AS "from", 'parent' AS via, COUNT(*) AS n FROM trials
         WHERE run_id = ? AND json_extract(info, '$.parent') IS NOT NULL AND json_extract(info, '$.from.stage') IS NULL GROUP BY 1`,
    ).all(runId, runId) as { stage: string; from: string; via: 'from' | 'parent'; n: number }[];
  }

  /** The complete trial of a stage with the best value of `metric`. */
  best(runId: number, stage: string, metric: string, mode: 'max' | 'min'): TrialRow | undefined {
    const r = this.stmt(
      `SELECT * FROM trials WHERE run_id = ? AND stage = ? AND state = 'complete' AND json_extract(metrics, '$."' || ? || '"') IS NOT NULL
         ORDER BY json_extract(metrics, '$."' || ? || '"') * ? DESC, number LIMIT 1`,
    ).get(runId, stage, metric, metric, mode === 'max' ? 1 : -1) as (TrialDbRow & { stage: string }) | undefined;
    return r && { ...toTrial(r), stage: r.stage };
  }

  /** Up to `limit` trials of a stage in a state (with a curve), best first by `metric` (or latest first). */
  top(
    runId: number,
    stage: string,
    state: TrialState,
    limit: number,
    metric?: { name: string; mode: 'max' | 'min' },
    withCurve = false,
  ): TrialRow[] {
    const curve = withCurve ? ' AND curve IS NOT NULL' : '';
    const rows = (
      metric
        ? this.stmt(
            `SELECT * FROM trials WHERE run_id = ? AND stage = ? AND state = ?${curve} AND json_extract(metrics, '$."' || ? || '"') IS NOT NULL
               ORDER BY json_extract(metrics, '$."' || ? || '"') * ? DESC, number LIMIT ?`,
          ).all(runId, stage, state, metric.name, metric.name, metric.mode === 'max' ? 1 : -1, limit)
        : this.stmt(
            'SELECT * FROM trials WHERE run_id = ? AND stage = ? AND state = ? ORDER BY number DESC LIMIT ?',
          ).all(runId, stage, state, limit)
    ) as (TrialDbRow & { stage: string })[];
    return rows.map((r) => ({ ...toTrial(r), stage: r.stage }));
  }

  /** The latest `limit` trials of a stage with their archs (for decisions). */
  latest(runId: number, stage: string, limit: number): TrialRow[] {
    const rows = this.stmt('SELECT * FROM trials WHERE run_id = ? AND stage = ? ORDER BY number DESC LIMIT ?').all(
      runId,
      stage,
      limit,
    ) as (TrialDbRow & { stage: string })[];
    return rows.map((r) => ({ ...toTrial(r), stage: r.stage }));
  }

  /** Trials of every run started or finished at or after `since` (ms): what changed lately. */
  changedSince(since: number): (TrialRow & { runId: number })[] {
    const rows = this.stmt(
      'SELECT * FROM trials WHERE started_at >= ? OR finished_at >= ? ORDER BY run_id, started_at',
    ).all(since, since) as (TrialDbRow & { stage: string; run_id: number })[];
    return rows.map((r) => ({ ...toTrial(r), stage: r.stage, runId: r.run_id }));
  }

  /** One page of a run's trials, filtered and sorted in SQL, and how many match in all. */
  query(q: TrialQuery): { total: number; rows: TrialRow[] } {
    const where = ['run_id = ?'];
    const args: (string | number)[] = [q.run];
    if (q.stage !== undefined) {
      where.push('stage = ?');
      args.push(q.stage);
    }
    if (q.states?.length) {
      where.push(`state IN (${q.states.map(() => '?').join(', ')})`);
      args.push(...q.states);
    }
    if (q.metric !== undefined && (q.min !== undefined || q.max !== undefined)) {
      // the metric name is a bound parameter inside a JSON path, never spliced into the SQL
      if (q.min !== undefined) {
        where.push("json_extract(metrics, '$.\"' || ? || '\"') >= ?");
        args.push(q.metric, q.min);
      }
      if (q.max !== undefined) {
        where.push("json_extract(metrics, '$.\"' || ? || '\"') <= ?");
        args.push(q.metric, q.max);
      }
    }
    const filter = where.join(' AND ');
    const total = (this.db.prepare(`SELECT COUNT(*) AS n FROM trials WHERE ${filter}`).get(...args) as { n: number }).n;
    let order: string;
    const orderArgs: string[] = [];
    const dir = q.desc ? 'DESC' : 'ASC';
    if (q.sort?.startsWith('metric:')) {
      // trials without the metric last, whatever the direction
      order = `json_extract(metrics, '$."' || ? || '"') IS NULL, json_extract(metrics, '$."' || ? || '"') ${dir}, number`;
      orderArgs.push(q.sort.slice(7), q.sort.slice(7));
    } else order = `${SORTS[q.sort ?? 'number'] ?? 'number'} ${dir}, stage, number`;
    const rows = this.db
      .prepare(`SELECT * FROM trials WHERE ${filter} ORDER BY ${order} LIMIT ? OFFSET ?`)
      .all(...args, ...orderArgs, q.limit ?? 100, q.offset ?? 0) as (TrialDbRow & { stage: string })[];
    return { total, rows: rows.map((r) => ({ ...toTrial(r), stage: r.stage })) };
  }
}
