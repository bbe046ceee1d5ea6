// Pruners on synthetic learning curves: exact decisions of the median rule and of ASHA, in both
// objective modes, and their state rebuilt from finished trials (resume).

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { AshaPruner, MedianPruner, makePruner, median } from '../engine/search/pruners.js';
import type { Objective, TrialRecord, TrialState } from '../engine/core/types.js';

const MAX: Objective = { metric: 'accuracy', mode: 'max' };
const MIN: Objective = { metric: 'loss', mode: 'min' };

function trial(number: number, metric: string, values: number[], state: TrialState = 'complete'): TrialRecord {
  return {
    number,
    key: `k${number}`,
    arch: null,
    state,
    metrics: { [metric]: values[values.length - 1] },
    seed: number,
    attempts: 1,
    startedAt: 0,
    curve: values.map((v, i) => ({ step: i + 1, metrics: { [metric]: v } })),
  };
}

test('median helper', () => {
  assert.is(median([3, 1, 2]), 2);
  assert.is(median([4, 1, 3, 2]), 2.5);
});

test('median rule (max): best-so-far against the median of complete trials at the step', () => {
  const p = new MedianPruner(MAX, { minEpochs: 1, minTrials: 2 });
  p.observe(trial(1, 'accuracy', [0.5, 0.6, 0.7]));
  p.observe(trial(2, 'accuracy', [0.7, 0.8, 0.9]));
  p.observe(trial(3, 'accuracy', [0.6, 0.7, 0.8]));
  // pruned and failed trials do not move the median
  p.observe(trial(4, 'accuracy', [0.0], 'pruned'));
  p.observe(trial(5, 'accuracy', [0.0], 'failed'));
  // medians: step 1 -> 0.6, step 2 -> 0.7, step 3 -> 0.8
  assert.is(p.shouldPrune(10, 1, { accuracy: 0.55 }), true);
  assert.is(p.shouldPrune(11, 1, { accuracy: 0.6 }), false, 'equal to the median continues');
  assert.is(p.shouldPrune(11, 2, { accuracy: 0.65 }), true);
  assert.is(p.shouldPrune(12, 1, { accuracy: 0.9 }), false);
  assert.is(p.shouldPrune(12, 2, { accuracy: 0.5 }), false, 'best so far (0.9) counts, not the last value');
  assert.is(p.shouldPrune(13, 4, { accuracy: 0.1 }), false, 'no complete trial reached step 4');
  assert.is(p.shouldPrune(14, 1, { loss: 3 }), false, 'objective metric missing');
});

test('median rule: min_trials and min_epochs', () => {
  const p = new MedianPruner(MAX, { minEpochs: 2, minTrials: 3 });
  p.observe(trial(1, 'accuracy', [0.5, 0.6]));
  p.observe(trial(2, 'accuracy', [0.7, 0.8]));
  assert.is(p.shouldPrune(9, 2, { accuracy: 0.1 }), false, 'only 2 complete trials');
  p.observe(trial(3, 'accuracy', [0.6, 0.7]));
  assert.is(p.shouldPrune(10, 1, { accuracy: 0.1 }), false, 'before min_epochs');
  assert.is(p.shouldPrune(10, 2, { accuracy: 0.65 }), true);
  assert.is(p.shouldPrune(11, 2, { accuracy: 0.7 }), false);
});

test('median rule (min): loss below the median continues', () => {
  const p = new MedianPruner(MIN, { minEpochs: 1, minTrials: 3 });
  p.observe(trial(1, 'loss', [1.0, 0.8]));
  p.observe(trial(2, 'loss', [0.6, 0.4]));
  p.observe(trial(3, 'loss', [0.8, 0.6]));
  assert.is(p.shouldPrune(7, 1, { loss: 0.9 }), true);
  assert.is(p.shouldPrune(8, 1, { loss: 0.7 }), false);
  assert.is(p.shouldPrune(8, 2, { loss: 0.65 }), true, 'best so far 0.65 is worse than the step-2 median 0.6');
});

test('ASHA (max, eta 2): rungs at 1, 2, 4; top floor(n/eta) continue', () => {
  const p = new AshaPruner(MAX, { minEpochs: 1, eta: 2 });
  assert.equal(
    [0, 1, 2, 3].map((k) => p.rungStep(k)),
    [1, 2, 4, 8],
  );
  assert.is(p.shouldPrune(1, 1, { accuracy: 0.5 }), false, 'first at the rung');
  assert.is(p.shouldPrune(2, 1, { accuracy: 0.4 }), true, 'n=2: only the best continues');
  assert.is(p.shouldPrune(3, 1, { accuracy: 0.6 }), false);
  assert.is(p.shouldPrune(4, 1, { accuracy: 0.55 }), false, 'n=4: top 2 (0.6, 0.55)');
  assert.is(p.shouldPrune(5, 1, { accuracy: 0.5 }), true, 'n=5: top 2 (0.6, 0.55)');
  assert.is(p.shouldPrune(4, 3, { accuracy: 0.0 }), false, 'step 3 is no rung');
  assert.is(p.shouldPrune(1, 2, { accuracy: 0.7 }), false, 'rung 1, first');
  assert.is(p.shouldPrune(3, 2, { accuracy: 0.65 }), true, 'rung 1, n=2');
  assert.is(p.shouldPrune(1, 4, { accuracy: 0.8 }), false, 'rung 2');
  // a retried trial keeps the score it recorded first at a rung
  assert.is(p.shouldPrune(2, 1, { accuracy: 0.99 }), true);
});

test('ASHA (min, eta 3, min_epochs 2): rungs at 2, 6, 18', () => {
  const p = new AshaPruner(MIN, { minEpochs: 2, eta: 3 });
  assert.equal(
    [0, 1, 2].map((k) => p.rungStep(k)),
    [2, 6, 18],
  );
  assert.is(p.shouldPrune(1, 1, { loss: 9 }), false, 'before the first rung');
  assert.is(p.shouldPrune(1, 2, { loss: 0.5 }), false);
  assert.is(p.shouldPrune(2, 2, { loss: 0.4 }), false, 'lower loss is better');
  assert.is(p.shouldPrune(3, 2, { loss: 0.45 }), true, 'n=3: top 1 is 0.4');
  assert.is(p.shouldPrune(4, 2, { loss: 0.3 }), false);
  assert.is(p.shouldPrune(5, 2, { loss: 0.42 }), true, 'n=5: top 1 is 0.3');
  assert.is(p.shouldPrune(6, 2, { loss: 0.35 }), false, 'n=6: top 2 are 0.3 and 0.35');
  assert.is(p.shouldPrune(7, 2, { loss: 0.36 }), true, 'n=7: top 2 are 0.3 and 0.35');
});

test('ASHA rebuilds its rungs from finished trials (resume)', () => {
  const p = new AshaPruner(MAX, { minEpochs: 1, eta: 2 });
  p.observe(trial(1, 'accuracy', [0.8, 0.85]));
  p.observe(trial(2, 'accuracy', [0.3], 'pruned'));
  p.observe(trial(3, 'accuracy', [0.99], 'failed'));
  assert.is(p.shouldPrune(9, 1, { accuracy: 0.7 }), true, 'n=3 (0.8, 0.3, 0.7): top 1 is 0.8');
  assert.is(p.shouldPrune(10, 1, { accuracy: 0.9 }), false);
});

test('makePruner from early_stopping options', () => {
  assert.is(makePruner(MAX, undefined), undefined);
  assert.is(makePruner(MAX, { rule: 'none' }), undefined);
  assert.ok(makePruner(MAX, { rule: 'median' }) instanceof MedianPruner);
  assert.ok(makePruner(MAX, { rule: 'asha', eta: 3 }) instanceof AshaPruner);
  assert.throws(() => makePruner(MAX, { rule: 'hyperband' }));
});

test.run();
