// The reproducible schedule's parts: results told in number order, pruning judged against smaller
// numbers only, and dropout masks that are new at every step yet the same for the same seed.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '@tensorflow/tfjs';
import { OrderedPruning, TellOrder, cutAt } from '../engine/search/schedule.js';
import { MedianPruner } from '../engine/search/pruners.js';
import { SeededDropout } from '../engine/training/model/dropout.js';
import type { CurvePoint, TrialRecord } from '../engine/core/types.js';

test('TellOrder releases results in number order and counts resumed final trials as told', () => {
  const order = new TellOrder<string>();
  order.markFinal(1);
  order.markFinal(3); // final beyond a gap: told once 2 is
  assert.is(order.untold(5), 3);
  order.hold(4, 'four');
  assert.is(order.next(), undefined, '2 has not arrived');
  order.hold(2, 'two');
  assert.equal(order.next(), { number: 2, result: 'two' });
  assert.equal(order.next(), { number: 4, result: 'four' }, '3 was final already');
  assert.ok(order.toldThrough(4));
  assert.is(order.untold(5), 0);
});

const curve = (...acc: number[]): CurvePoint[] => acc.map((a, i) => ({ step: i + 1, metrics: { accuracy: a } }));
const trial = (number: number, c: CurvePoint[]): TrialRecord => ({
  number,
  key: String(number),
  arch: null,
  state: 'complete',
  metrics: c[c.length - 1].metrics,
  seed: number,
  attempts: 1,
  startedAt: 0,
  curve: c,
});

test('OrderedPruning judges trial n against trials below n only, whatever was observed later', () => {
  const p = new OrderedPruning(() => new MedianPruner({ metric: 'accuracy', mode: 'max' }, { minTrials: 2 }));
  p.observe(trial(1, curve(0.8, 0.9)));
  p.observe(trial(2, curve(0.7, 0.8)));
  p.observe(trial(4, curve(0.95, 0.99))); // a larger number: must not count for trial 3
  assert.is(p.pruneStep(3, curve(0.76, 0.9)), null, 'median of trials 1, 2 at step 1 is 0.75');
  assert.is(p.pruneStep(3, curve(0.7, 0.9)), 1, 'below the median at step 1');
  assert.is(p.pruneStep(5, curve(0.79, 0.95)), 1, 'trial 5 counts trial 4 (median 0.8 at step 1)');
  assert.is(p.pruneStep(5, curve(0.79, 0.95), 2), null, 'judged against trials 1..2 only (median 0.75)');
  assert.equal(cutAt(curve(0.7, 0.9), 1), { curve: curve(0.7), metrics: { accuracy: 0.7 } });
});

test('SeededDropout: a new mask every training step, the same masks for the same seed', async () => {
  await tf.setBackend('cpu');
  const masks = (seed: number): number[][] => {
    const layer = new SeededDropout({ rate: 0.5 }, seed);
    const x = tf.ones([64]);
    const out = [0, 1].map(() => Array.from((layer.apply(x, { training: true }) as tf.Tensor).dataSync()));
    const inference = Array.from((layer.apply(x) as tf.Tensor).dataSync());
    assert.ok(
      inference.every((v) => v === 1),
      'no dropout in inference',
    );
    return out;
  };
  const [a1, a2] = masks(11);
  const [b1, b2] = masks(11);
  const [c1] = masks(12);
  assert.equal([b1, b2], [a1, a2], 'same seed, same masks');
  assert.not.equal(a2, a1, 'a new mask at the second step');
  assert.not.equal(c1, a1, 'another seed, another mask');
  assert.ok(a1.some((v) => v === 0) && a1.some((v) => v === 2), 'units dropped and the rest scaled by 1/(1-rate)');
});

test.run();
