// Behaviour that once hung on the wrong thing: stage re-opening on message text, bugs flattened into a
// one-line "failed", meta-learning blind to staged runs.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { loadWorkflow } from '../engine/workflow/index.js';
import { Store } from '../engine/store/store.js';
import { resumeRun, startRun } from '../engine/search/run.js';
import { runSearch } from '../engine/search/loop.js';
import { makeEvaluator, makeSpace, makeStrategy } from '../engine/search/components.js';
import { loadKnowledge } from '../engine/meta/index.js';
import { internalError } from '../engine/cli/main.js';
import type { Strategy } from '../engine/core/strategy.js';
import type { WorkflowConfig } from '../engine/core/workflow.js';
import { FIXTURES, ROOT, scratch } from './helpers/paths.js';

const STAGED = join(FIXTURES, 'stages', 'nb201-stages.yaml');

function withFinalBudget(wf: WorkflowConfig, trials: number, hash: string): WorkflowConfig {
  return {
    ...wf,
    stages: wf.stages!.map((st) => (st.name === 'final' ? { ...st, budget: { ...st.budget, trials } } : st)),
    source: { ...wf.source, hash },
  };
}

test('a finished stage re-opens from why it ended, whatever its reason text says', async () => {
  const dir = scratch('seams-reopen');
  const file = join(dir, 's.sqlite');
  const wf = loadWorkflow(STAGED);
  let store = Store.open(file);
  const s = await startRun(store, wf);
  assert.is(s.status, 'complete', s.reason);
  assert.equal(
    store.stages(s.run).map((r) => r.ended),
    ['trial-budget', 'trial-budget', 'trial-budget'],
  );
  store.close();
  // reasons are for people: reword them all; a grown final budget still re-opens the final stage
  const db = new Database(file);
  db.exec(`UPDATE stages SET reason = 'Budget erreicht'`);
  db.close();
  store = Store.open(file);
  await resumeRun(store, s.run, withFinalBudget(wf, 5, 'grown'));
  assert.is(store.trials(s.run, 'final').length, 5);
  // and a stage that ended because the strategy had nothing more does not re-open, whatever the text
  store.close();
  const db2 = new Database(file);
  db2.exec(`UPDATE stages SET ended = 'strategy-done', reason = 'trial budget of 5 reached' WHERE stage = 'final'`);
  db2.close();
  store = Store.open(file);
  await resumeRun(store, s.run, withFinalBudget(wf, 7, 'grown-again'));
  assert.is(store.trials(s.run, 'final').length, 5);
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

test("meta-learning reads a staged run: the final stage's trials by default, every stage on request", async () => {
  const dir = scratch('seams-meta');
  const file = join(dir, 's.sqlite');
  const store = Store.open(file);
  const s = await startRun(store, loadWorkflow(STAGED));
  const complete = (stage: string) => store.trials(s.run, stage).filter((t) => t.state === 'complete').length;
  const expected = { screen: complete('screen'), evolve: complete('evolve'), final: complete('final') };
  store.close();
  const final = loadKnowledge([file]);
  assert.is(final.length, 1);
  assert.ok(final[0].id.endsWith(`#${s.run}/final`), final[0].id);
  assert.is(final[0].trials.length, expected.final);
  const all = loadKnowledge([file], { stages: 'all' });
  assert.equal(
    all.map((t) => [t.id.split('/').pop(), t.trials.length]),
    Object.entries(expected),
  );
  rmSync(dir, { recursive: true, force: true });
});

test('a bug in a strategy reaches the caller as itself, with its stack', async () => {
  const store = Store.open(':memory:');
  const wf = loadWorkflow(join(ROOT, 'workflows', 'nb201-regularized-evolution.yaml'));
  const runId = store.createRun({
    name: 'bug',
    workflowFile: wf.source.file,
    workflowText: wf.source.text,
    workflowHash: wf.source.hash,
    config: {},
  });
  const space = makeSpace(wf);
  const inner = makeStrategy(wf, space);
  let asked = 0;
  const buggy: Strategy = {
    ask: () => {
      if (++asked > 3) throw new TypeError("Cannot read properties of undefined (reading 'arch')");
      return inner.ask();
    },
    tell: (t) => inner.tell(t),
    snapshot: () => inner.snapshot(),
    restore: (st) => inner.restore(st),
  };
  const evaluator = await makeEvaluator(wf, space);
  const err = await runSearch({ store, runId, workflow: wf, space, strategy: buggy, evaluator }).then(
    () => undefined,
    (e: unknown) => e,
  );
  await evaluator.close();
  assert.instance(err, TypeError);
  assert.match((err as Error).stack ?? '', /seams\.test\.js/);
  const oneLine = internalError(err, false);
  assert.is(oneLine.trim().split('\n').length, 1);
  assert.match(oneLine, /internal error: Cannot read properties of undefined.*--debug/);
  assert.match(internalError(err, true), /at .*seams\.test\.js/);
  store.close();
});

test.run();
