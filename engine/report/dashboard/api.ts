// The dashboard's JSON (and CSV) answers, computed from read-only store connections. Every request
// names its store by index and its run by id; nothing here writes.

import { basename } from 'node:path';
import type { StoreReader, TrialQuery } from '../../store/reader.js';
import type { RunRow } from '../../store/store.js';
import type { TrialRecord, TrialState } from '../../core/types.js';
import type { WorkflowConfig } from '../../core/workflow.js';
import { finalStage, objectivesOf, stageWorkflow } from '../../core/stages.js';
import { rankTrials, paretoFront } from '../../core/pareto.js';
import { isSupernetTrial } from '../../core/trial.js';
import { lineageOf } from '../../search/lineage.js';
import { createSpace } from '../../space/index.js';
import { decisionsOf, explainTrials, type Explanation } from '../importance/explain.js';
import { summarise, type TrialSummary } from './feed.js';

export class BadRequest extends Error {
  override readonly name = 'BadRequest';
}

const STATES: TrialState[] = ['running', 'complete', 'pruned', 'failed'];

export class DashboardApi {
  private readonly explainCache = new Map<string, { stamp: string; value: Explanation }>();
  /** Decisions of an arch by store, run and key: walking the space's tree costs ~0.6 ms a chain arch. */
  private readonly decisionCache = new Map<string, Map<string, string>>();

  constructor(readonly readers: StoreReader[]) {}

  reader(q: URLSearchParams): StoreReader {
    const i = int(q, 'store', 0);
    const r = this.readers[i];
    if (!r) throw new BadRequest(`no store ${i}`);
    return r;
  }

  /** The store, run id and run a request names (?store=&run=); 400 when there is no such run. */
  private run(q: URLSearchParams): { r: StoreReader; runId: number; run: RunRow } {
    const r = this.reader(q);
    const runId = int(q, 'run');
    const run = r.run(runId);
    if (!run) throw new BadRequest(`no run ${runId}`);
    return { r, runId, run };
  }

  stores(): { index: number; path: string; name: string }[] {
    return this.readers.map((r, index) => ({ index, path: r.path, name: basename(r.path) }));
  }

  runs(): unknown[] {
    return this.readers.flatMap((r, store) =>
      r.runs().map((run) => {
        const wf = run.config as unknown as WorkflowConfig;
        const final = finalStage(wf);
        const o = final.objectives[0];
        // the list shows the best of the first objective (one SQL query, however many trials)
        const best = r.best(run.id, final.stage, o.metric, o.mode);
        return {
          store,
          storeName: basename(r.path),
          run: run.id,
          name: run.name,
          status: run.status,
          reason: run.reason,
          // a staged run's trial budgets are its stages'; the workflow's own applies to none of them
          budget: {
            trials: wf.stages?.length
              ? wf.stages.reduce((n, st) => n + (st.budget?.trials ?? 0), 0) || null
              : (wf.budget?.trials ?? null),
            time: wf.budget?.time ?? null,
          },
          counts: r.counts(run.id),
          elapsed_s: run.elapsedMs / 1000,
          createdAt: run.createdAt,
          strategy: wf.stages?.length ? wf.stages.map((s) => s.strategy.type).join(' > ') : wf.strategy.type,
          stages: wf.stages?.map((s) => s.name) ?? [],
          objectives: final.objectives,
          best: best ? { stage: final.stage, number: best.number, value: best.metrics[o.metric] ?? null } : null,
        };
      }),
    );
  }

  trialQuery(q: URLSearchParams): TrialQuery {
    const states = (q.get('state') ?? '')
      .split(',')
      .filter((s) => s !== '')
      .map((s) => {
        if (!STATES.includes(s as TrialState)) throw new BadRequest(`unknown state "${s}"`);
        return s as TrialState;
      });
    return {
      run: int(q, 'run'),
      ...(q.get('stage') !== null ? { stage: q.get('stage')! } : {}),
      ...(states.length ? { states } : {}),
      ...(q.get('metric') ? { metric: q.get('metric')! } : {}),
      ...(num(q, 'min') !== undefined ? { min: num(q, 'min') } : {}),
      ...(num(q, 'max') !== undefined ? { max: num(q, 'max') } : {}),
      sort: q.get('sort') ?? 'number',
      desc: q.get('desc') === '1',
      offset: int(q, 'offset', 0),
      limit: Math.min(int(q, 'limit', 100), 1000),
    };
  }

  trials(q: URLSearchParams): { total: number; rows: TrialSummary[] } {
    const r = this.reader(q);
    const query = this.trialQuery(q);
    const { total, rows } = r.query(query);
    return { total, rows: rows.map((t) => summarise(int(q, 'store', 0), query.run, t)) };
  }

  /** Every trial matching the filters (no paging) as CSV: one column per metric. */
  csv(q: URLSearchParams): string {
    const r = this.reader(q);
    const query = { ...this.trialQuery(q), offset: 0, limit: 1_000_000 };
    const { rows } = r.query(query);
    const metrics = [...new Set(rows.flatMap((t) => Object.keys(t.metrics)))].sort();
    const header = ['run', 'stage', 'number', 'state', 'key', 'started_at', 'finished_at', 'error', ...metrics];
    const lines = [header.map(csvCell).join(',')];
    for (const t of rows)
      lines.push(
        [
          query.run,
          t.stage,
          t.number,
          t.state,
          t.key,
          new Date(t.startedAt).toISOString(),
          t.finishedAt ? new Date(t.finishedAt).toISOString() : '',
          t.error ?? '',
          ...metrics.map((m) => t.metrics[m] ?? ''),
        ]
          .map(csvCell)
          .join(','),
      );
    return lines.join('\r\n') + '\r\n';
  }

  trial(q: URLSearchParams): unknown {
    const r = this.reader(q);
    const run = int(q, 'run');
    const t = r.trial(run, q.get('stage') ?? '', int(q, 'number'));
    if (!t) throw new BadRequest('no such trial');
    return { ...t, lineage: lineageOf(r.lineageRows(run), t.stage, t.number) };
  }

  /** Compact columns for the plots: every trial of a run, its decisions as indices, its metrics. */
  series(q: URLSearchParams): unknown {
    const { r, runId, run } = this.run(q);
    const wf = run.config as unknown as WorkflowConfig;
    const final = finalStage(wf);
    const all = r.columns(runId).filter((t) => !isSupernetTrial(t));
    const stageNames = wf.stages?.map((s) => s.name) ?? [''];
    const space = createSpace(final.workflow.space);
    const decisions = space.decisions().map((d) => ({ name: d.name, values: [] as string[] }));
    // parallel coordinates: the latest 1,000 trials of the final stage (more lines are unreadable anyway)
    const recent = r.latest(runId, final.stage, 1000).filter((t) => !isSupernetTrial(t));
    const decisionIndex = recent.map((t) => {
      const cacheKey = `${int(q, 'store', 0)}\0${runId}\0${t.key}`;
      let named = this.decisionCache.get(cacheKey);
      if (!named) {
        try {
          named = decisionsOf(space, t.arch);
        } catch {
          named = new Map();
        }
        this.decisionCache.set(cacheKey, named);
      }
      return decisions.map((d) => {
        const v = named.get(d.name);
        if (v === undefined) return -1;
        let i = d.values.indexOf(v);
        if (i < 0) i = d.values.push(v) - 1;
        return i;
      });
    });
    const finalTrials = all.filter((t) => t.stage === final.stage);
    // the front needs state and metrics only, which the light columns have
    const front =
      final.objectives.length > 1 ? paretoFront(finalTrials as unknown as TrialRecord[], final.objectives) : [];
    // plots need the objectives and the size metrics only
    const keep = new Set([...final.objectives.map((o) => o.metric), 'params', 'flops']);
    for (const st of wf.stages ?? []) keep.add(objectivesOf(stageWorkflow(wf, st))[0].metric);
    return {
      run: runId,
      name: run.name,
      objectives: final.objectives,
      finalStage: final.stage,
      stages: stageNames,
      metrics: [...new Set(all.flatMap((t) => Object.keys(t.metrics)))],
      trials: all.map(({ info: _job, ...t }) => ({
        ...t,
        metrics: Object.fromEntries(Object.entries(t.metrics).filter(([k]) => keep.has(k))),
      })),
      decisions: decisions.filter((d) => d.values.length > 1),
      decisionRows: recent.map((t, i) => ({
        number: t.number,
        values: decisionIndex[i].filter((_, j) => decisions[j].values.length > 1),
      })),
      front: front.map((t) => t.number),
      lineage: r.lineageCounts(runId),
    };
  }

  /** Learning curves: the best `limit` trials of a stage and every pruned one (up to `limit` again). */
  curves(q: URLSearchParams): unknown {
    const { r, runId, run } = this.run(q);
    const final = finalStage(run.config as unknown as WorkflowConfig);
    const limit = Math.min(int(q, 'limit', 20), 200);
    const o = final.objectives[0];
    // two SQL queries, however many trials: the best complete ones and the latest pruned ones
    const best = r.top(runId, final.stage, 'complete', limit, { name: o.metric, mode: o.mode }, true);
    const pruned = r.top(runId, final.stage, 'pruned', limit, undefined, true);
    const pick = (t: TrialRecord) => ({ number: t.number, state: t.state, curve: t.curve });
    return { metric: o.metric, best: best.map(pick), pruned: pruned.map(pick) };
  }

  explain(q: URLSearchParams): Explanation {
    const { r, runId, run } = this.run(q);
    const wf = run.config as unknown as WorkflowConfig;
    const final = finalStage(wf);
    const st = wf.stages?.find((s) => s.name === final.stage);
    const sw = st ? stageWorkflow(wf, st) : wf;
    const trials = r
      .allTrials(runId)
      .filter((t) => t.stage === final.stage && t.state === 'complete' && !isSupernetTrial(t));
    const stamp = `${trials.length}`;
    const key = `${int(q, 'store', 0)}:${runId}`;
    const cached = this.explainCache.get(key);
    if (cached?.stamp === stamp) return cached.value;
    if (trials.length < 5) throw new BadRequest(`run ${runId} has ${trials.length} complete trials; at least 5 needed`);
    const objectives = objectivesOf(sw);
    const value = explainTrials(
      trials.slice(-3000),
      createSpace(sw.space),
      objectives[0],
      rankTrials(trials, objectives)[0],
      { run: runId, name: run.name, stage: final.stage, trees: 48 },
    );
    this.explainCache.set(key, { stamp, value });
    return value;
  }
}

function int(q: URLSearchParams, name: string, fallback?: number): number {
  const v = q.get(name);
  if (v === null || v === '') {
    if (fallback === undefined) throw new BadRequest(`missing ${name}`);
    return fallback;
  }
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new BadRequest(`${name} must be a non-negative integer`);
  return n;
}

function num(q: URLSearchParams, name: string): number | undefined {
  const v = q.get(name);
  if (v === null || v === '') return undefined;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new BadRequest(`${name} must be a number`);
  return n;
}

/** RFC 4180 quoting; text that a spreadsheet would run as a formula gets a leading apostrophe. */
function csvCell(v: string | number): string {
  let s = String(v);
  if (typeof v === 'string' && /^[=+@\t\r-]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
