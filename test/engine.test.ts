// The engine loop in process: budget, dedup, failures, retries, fatal errors, determinism, resume rules.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { join } from 'node:path';
import { loadWorkflow } from '../engine/workflow/index.js';
import { Store } from '../engine/store/store.js';
import { SCHEMA_VERSION } from '../engine/store/schema.js';
import { resumeRun, startRun } from '../engine/search/run.js';
import { runSearch } from '../engine/search/loop.js';
import { makeSpace, makeStrategy } from '../engine/search/components.js';
import { FatalError, TrialError } from '../engine/core/errors.js';
import type { Evaluator } from '../engine/core/evaluator.js';
import type { WorkflowConfig } from '../engine/core/workflow.js';
import { FIXTURES, scratch } from './helpers/paths.js';
import { reaWorkflow } from './helpers/nb201.js';
import Database from 'better-sqlite3';
import { rmSync } from 'node:fs';

const fixture = (name: string) => loadWorkflow(join(FIXTURES, 'engine', name));
const rea = reaWorkflow;

function keysAndNumbers(store: Store, run: number) {
  const trials = store.trials(run, '');
  return { trials, keys: new Set(trials.map((t) => t.key)), numbers: trials.map((t) => t.number) };
}

test('a run uses exactly its trial budget, never evaluates a key twice, and finds a good cell', async () => {
  const store = Store.open(':memory:');
  const wf = { ...rea(), budget: { trials: 150, failures: 5 } };
  const s = await startRun(store, wf);
  assert.is(s.status, 'complete');
  assert.is(s.trials, 150);
  const { trials, keys, numbers } = keysAndNumbers(store, s.run);
  assert.is(keys.size, 150);
  assert.equal(
    numbers,
    Array.from({ length: 150 }, (_, i) => i + 1),
  );
  assert.ok(trials.every((t) => t.state === 'complete'));
  const bestAcc = Math.max(...trials.map((t) => t.metrics.accuracy));
  assert.is(s.best?.metrics.accuracy, bestAcc);
  assert.ok(bestAcc > 93.5, `best ${bestAcc}`);
  store.close();
});

test('the same workflow and seed give the same run', async () => {
  const seq = async (seed: number) => {
    const store = Store.open(':memory:');
    const s = await startRun(store, { ...rea(), seed, budget: { trials: 60, failures: 5 } });
    const keys = store.trials(s.run, '').map((t) => t.key);
    store.close();
    return keys;
  };
  const a = await seq(3);
  assert.equal(await seq(3), a);
  assert.not.equal(await seq(4), a);
});

test('a finite space ends the run when exhausted, with no duplicate evaluation', async () => {
  const store = Store.open(':memory:');
  const s = await startRun(store, fixture('tiny-random.yaml'));
  assert.is(s.status, 'complete');
  assert.is(s.trials, 8);
  assert.is(keysAndNumbers(store, s.run).keys.size, 8);
  assert.is(s.best?.metrics.accuracy, 83.5);
  store.close();
});

test('candidates missing from the table fail without retries; the failure budget stops the run', async () => {
  const store = Store.open(':memory:');
  const s = await startRun(store, fixture('tiny-partial.yaml'));
  assert.is(s.status, 'failed');
  assert.match(s.reason, /failure budget of 1/);
  const failed = store.trials(s.run, '').filter((t) => t.state === 'failed');
  assert.is(failed.length, 2);
  assert.ok(failed.every((t) => t.attempts === 1 && /is not in benchmark table/.test(t.error ?? '')));
  store.close();
});

async function withEvaluator(wf: WorkflowConfig, evaluator: Evaluator) {
  const store = Store.open(':memory:');
  const runId = store.createRun({
    name: wf.name,
    workflowFile: wf.source.file,
    workflowText: wf.source.text,
    workflowHash: wf.source.hash,
    config: {},
  });
  const space = makeSpace(wf);
  const outcome = await runSearch({ store, runId, workflow: wf, space, strategy: makeStrategy(wf, space), evaluator });
  return { store, runId, outcome };
}

test('a transient failure is retried with a fresh seed and then succeeds', async () => {
  const wf = { ...rea(), retries: 2, budget: { trials: 10, failures: 0 } };
  const seen = new Map<number, number[]>();
  const { store, runId, outcome } = await withEvaluator(wf, {
    async evaluate(job) {
      const seeds = seen.get(job.trial) ?? [];
      seeds.push(job.seed);
      seen.set(job.trial, seeds);
      if (job.trial % 3 === 0 && seeds.length < 3) throw new TrialError('worker crashed');
      return { metrics: { accuracy: job.trial } };
    },
    async close() {},
  });
  assert.is(outcome.status, 'complete');
  const trials = store.trials(runId, '');
  assert.ok(trials.every((t) => t.state === 'complete'));
  assert.equal(
    trials.filter((t) => t.number % 3 === 0).map((t) => t.attempts),
    [3, 3, 3],
  );
  assert.is(new Set(seen.get(3)).size, 3);
});

test('a fatal error stops the run at once', async () => {
  const wf = { ...rea(), budget: { trials: 50, failures: 5 } };
  let calls = 0;
  const { store, runId, outcome } = await withEvaluator(wf, {
    async evaluate() {
      if (++calls === 4) throw new FatalError('dataset vanished');
      return { metrics: { accuracy: calls } };
    },
    async close() {},
  });
  assert.is(outcome.status, 'failed');
  assert.match(outcome.reason, /dataset vanished/);
  assert.is(store.trialCounts(runId).complete, 3);
});

test('a non-retryable trial error fails the trial once', async () => {
  const wf = { ...rea(), retries: 3, budget: { trials: 5, failures: 10 } };
  const { store, runId, outcome } = await withEvaluator(wf, {
    async evaluate(job) {
      if (job.trial === 2) throw new TrialError('out of memory for this candidate', false);
      return { metrics: { accuracy: 1 } };
    },
    async close() {},
  });
  assert.is(outcome.status, 'complete');
  const t2 = store.trials(runId, '')[1];
  assert.is(t2.state, 'failed');
  assert.is(t2.attempts, 1);
  assert.match(t2.error ?? '', /out of memory/);
});

test('a RangeError from an evaluator fails the trial once, not retried as a crashed worker', async () => {
  const wf = { ...rea(), retries: 3, budget: { trials: 4, failures: 10 } };
  let calls = 0;
  const { store, runId } = await withEvaluator(wf, {
    async evaluate() {
      calls++;
      throw new RangeError('The value of "offset" is out of range');
    },
    async close() {},
  });
  assert.is(calls, 4, 'one attempt per trial');
  assert.ok(store.trials(runId, '').every((t) => t.state === 'failed' && t.attempts === 1));
});

test('a store from schema 1 opens with the columns and tables added since, its runs intact; a newer one is refused', () => {
  const dir = scratch('store-migration');
  const file = join(dir, 'old.sqlite');
  const store = Store.open(file);
  store.close();
  // what schema 1 wrote: the stages table without elapsed_ms, no run_inputs (schema 3)
  const db = new Database(file);
  db.exec(`DROP TABLE stages; DROP TABLE run_inputs;
    CREATE TABLE stages (run_id INTEGER NOT NULL REFERENCES runs(id), stage TEXT NOT NULL, position INTEGER NOT NULL,
      status TEXT NOT NULL, reason TEXT, started_at INTEGER NOT NULL, finished_at INTEGER, PRIMARY KEY (run_id, stage));
    INSERT INTO runs (name, workflow_file, workflow_text, workflow_hash, config, status, created_at, updated_at)
      VALUES ('old', '/w.yaml', '', 'h', '{}', 'stopped', 1, 1);
    INSERT INTO stages VALUES (1, 'screen', 0, 'complete', 'trial budget of 5 reached', 1, 2);`);
  db.pragma('user_version = 1');
  db.close();
  const reopened = Store.open(file);
  assert.equal(
    reopened.stages(1).map((r) => [r.stage, r.reason, r.elapsedMs, r.ended]),
    [['screen', 'trial budget of 5 reached', 0, 'trial-budget']],
    'schema 3 migrates why an old stage ended from its reason, once',
  );
  assert.equal(reopened.inputs(1), [], 'no inputs recorded for an old run');
  reopened.saveInputs(1, [{ kind: 'env', name: 'node', hash: null, value: 'v20' }]);
  assert.equal(reopened.inputs(1), [{ kind: 'env', name: 'node', hash: null, value: 'v20' }]);
  reopened.addElapsed(1, 1234, 'screen');
  assert.is(reopened.stages(1)[0].elapsedMs, 1234);
  reopened.close();
  const newer = new Database(file);
  newer.pragma('user_version = 99');
  newer.close();
  assert.throws(() => Store.open(file), new RegExp(`written by a newer version \\(schema 99 > ${SCHEMA_VERSION}\\)`));
  rmSync(dir, { recursive: true, force: true });
});

test('resume accepts a grown budget and refuses any other change', async () => {
  const store = Store.open(':memory:');
  const wf = { ...rea(), budget: { trials: 40, failures: 5 } };
  const first = await startRun(store, wf);
  assert.is(first.trials, 40);
  const before = store.trials(first.run, '');
  const grown = { ...wf, budget: { trials: 70, failures: 5 }, source: { ...wf.source, hash: 'edited' } };
  const second = await resumeRun(store, first.run, grown);
  assert.is(second.status, 'complete');
  assert.is(second.trials, 70);
  assert.equal(store.trials(second.run, '').slice(0, 40), before);
  const changed = {
    ...grown,
    strategy: { ...grown.strategy, sample: 7 },
    source: { ...wf.source, hash: 'edited-again' },
  };
  try {
    await resumeRun(store, first.run, changed);
    assert.unreachable('should refuse');
  } catch (e) {
    assert.match((e as Error).message, /strategy\.sample changed \(5 -> 7\)/);
  }
  store.close();
});

test.run();
