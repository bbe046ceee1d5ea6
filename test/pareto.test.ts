// Several objectives: the Pareto front is exact (a brute-force check on a synthetic table), NSGA-II
// finds it, and `nas best` shows it.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { loadWorkflow } from '../engine/workflow/index.js';
import { Store } from '../engine/store/store.js';
import { startRun } from '../engine/search/run.js';
import { crowdingDistance, dominates, nondominatedSort, paretoFront, rankTrials } from '../engine/core/pareto.js';
import type { TrialRecord } from '../engine/core/types.js';
import { NAS_BIN, scratch } from './helpers/paths.js';
import { bruteFront, synthRows, writeSynthWorkflow } from './helpers/synthetic.js';

const OBJ = 'objective:\n  - { metric: accuracy, mode: max }\n  - { metric: params, mode: min }\n';
const rec = (number: number, metrics: Record<string, number>, state: TrialRecord['state'] = 'complete'): TrialRecord =>
  ({ number, key: `k${number}`, arch: null, state, metrics, seed: 0, attempts: 1, startedAt: 0 }) as TrialRecord;

test('dominance, fronts and crowding on hand-made points', () => {
  assert.ok(dominates([2, 2], [1, 2]));
  assert.not.ok(dominates([2, 2], [2, 2]));
  assert.not.ok(dominates([3, 1], [1, 3]));
  const pts = [
    [1, 5],
    [2, 4],
    [3, 3],
    [2, 2],
    [1, 1],
    [3, 3],
    [0, 6],
  ];
  assert.equal(nondominatedSort(pts), [[0, 1, 2, 5, 6], [3], [4]]);
  const d = crowdingDistance(pts, [0, 1, 2, 6]);
  assert.is(d.get(6), Infinity);
  assert.is(d.get(2), Infinity);
  assert.ok((d.get(0) as number) > 0 && Number.isFinite(d.get(0)));
  const objectives = [
    { metric: 'acc', mode: 'max' as const },
    { metric: 'params', mode: 'min' as const },
  ];
  const trials = [
    rec(1, { acc: 0.9, params: 100 }),
    rec(2, { acc: 0.8, params: 50 }),
    rec(3, { acc: 0.8, params: 60 }),
    rec(4, { acc: 0.95, params: 500 }),
    rec(5, { acc: 0.99, params: 10 }, 'failed'),
    rec(6, { acc: 0.9, params: 100 }),
    rec(7, { acc: 0.7 }),
  ];
  assert.equal(
    paretoFront(trials, objectives).map((t) => t.number),
    [1, 2, 4, 6],
  );
  assert.equal(
    rankTrials(trials, objectives)
      .slice(4)
      .map((t) => t.number),
    [3],
  );
  assert.equal(
    rankTrials(trials, [objectives[0]]).map((t) => t.number),
    [4, 1, 6, 2, 3, 7],
  );
});

test('a grid over the whole synthetic space reports exactly the brute-force front', async () => {
  const dir = scratch('pareto-grid');
  try {
    const wf = loadWorkflow(
      writeSynthWorkflow(dir, 'grid', `${OBJ}strategy: { type: grid }\nbudget: { trials: 100 }\n`),
    );
    assert.equal(wf.objectives, [
      { metric: 'accuracy', mode: 'max' },
      { metric: 'params', mode: 'min' },
    ]);
    const store = Store.open(':memory:');
    const s = await startRun(store, wf);
    assert.is(s.trials, 27);
    const front = bruteFront(synthRows());
    assert.ok(front.length >= 3, String(front.length));
    assert.equal(s.pareto!.map((t) => t.key).sort(), front);
    store.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('nsga2 finds the exact front; the front it reports is that of its trials; nas best prints it', async () => {
  const dir = scratch('pareto-nsga2');
  try {
    const file = writeSynthWorkflow(
      dir,
      'nsga',
      `${OBJ}strategy: { type: nsga2, population: 6 }\nbudget: { trials: 27 }\n`,
    );
    const storePath = join(dir, 'store.sqlite');
    const store = Store.open(storePath);
    const s = await startRun(store, loadWorkflow(file));
    assert.is(s.trials, 27);
    assert.equal(s.pareto!.map((t) => t.key).sort(), bruteFront(synthRows()));
    // on a smaller budget: the reported front is exact for the trials it evaluated
    const s2 = await startRun(store, { ...loadWorkflow(file), budget: { trials: 12, failures: 5 } });
    const seen = new Set(store.trials(s2.run, '').map((t) => t.key));
    assert.equal(s2.pareto!.map((t) => t.key).sort(), bruteFront(synthRows().filter((r) => seen.has(r.key))));
    store.close();
    const r = spawnSync(process.execPath, [NAS_BIN, 'best', '--store', storePath, '1', '--json'], { encoding: 'utf8' });
    assert.is(r.status, 0, r.stderr);
    assert.equal((JSON.parse(r.stdout) as { key: string }[]).map((t) => t.key).sort(), bruteFront(synthRows()));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
