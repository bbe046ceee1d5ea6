// A trial's result does not depend on the worker's history: the same job trained in a fresh worker
// and in a worker that has trained 20 other candidates first (dense, conv, dropout, other seeds and
// batch sizes) gives identical metrics and curves, bit for bit.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { TrainPool } from '../engine/evaluation/train/pool.js';
import { resolveSettings } from '../engine/evaluation/train/options.js';
import type { TrainJob } from '../engine/evaluation/train/protocol.js';
import type { Arch } from '../engine/core/types.js';

const SPACE = {
  kind: 'chain',
  input: [8, 8, 1],
  layers: { min: 1, max: 3, choose: {} },
} as unknown as TrainJob['space'];
const DATASET = { source: 'builtin:digits', limit: 400, split: { validation: 0.25 } } as TrainJob['dataset'];

function job(trial: number, arch: Arch, batchSize: number): Omit<TrainJob, 'cancel' | 'progress'> {
  return {
    type: 'train',
    trial,
    attempt: 1,
    arch,
    key: String(trial),
    seed: 1000 + trial,
    space: SPACE,
    dataset: DATASET,
    dataSeed: 7,
    backend: 'wasm',
    settings: resolveSettings({ epochs: 2, batch_size: batchSize, learning_rate: 0.01 }, arch),
    returnModel: trial % 3 === 0,
  };
}

const TARGET = job(
  0,
  {
    layers: [
      { type: 'conv2d', filters: 8, kernel: 3, activation: 'relu' },
      { type: 'dropout', rate: 0.3 },
      { type: 'dense', units: 32, activation: 'relu' },
      { type: 'dropout', rate: 0.2 },
    ],
  },
  16,
);

function other(i: number): Omit<TrainJob, 'cancel' | 'progress'> {
  const layers: Arch[] =
    i % 2 === 0
      ? [
          { type: 'conv2d', filters: 4 + (i % 3) * 4, kernel: i % 4 === 0 ? 3 : 5, activation: 'relu' },
          { type: 'dropout', rate: 0.1 },
        ]
      : [
          { type: 'dense', units: 16 + i, activation: 'tanh' },
          { type: 'dropout', rate: 0.25 },
        ];
  return job(i, { layers }, i % 3 === 0 ? 8 : 32);
}

test('one trial in a fresh worker and after 20 others in the same worker: identical metrics', async () => {
  const fresh = new TrainPool({ threads: 1, recycleAfter: 0 });
  const used = new TrainPool({ threads: 1, recycleAfter: 0 });
  try {
    const a = await fresh.train(TARGET);
    for (let i = 1; i <= 20; i++) await used.train(other(i));
    const b = await used.train(TARGET);
    assert.is(a.backend, 'wasm');
    assert.ok(a.metrics.accuracy > 0.2, `it learned something (${a.metrics.accuracy})`);
    assert.equal(b.metrics, a.metrics);
    assert.equal(b.curve, a.curve);
  } finally {
    await Promise.all([fresh.close(), used.close()]);
  }
});

test.run();
