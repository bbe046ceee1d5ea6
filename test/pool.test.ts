// The training pool: memory stays flat over many candidates in one worker, and the pool recycles its
// workers after N tasks each.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { join } from 'node:path';
import { loadWorkflow } from '../engine/workflow/index.js';
import { TrainPool } from '../engine/evaluation/train/pool.js';
import { resolveSettings } from '../engine/evaluation/train/options.js';
import type { TrainJob } from '../engine/evaluation/train/protocol.js';
import { FIXTURES } from './helpers/paths.js';

const wf = loadWorkflow(join(FIXTURES, 'train', 'iris.yaml'));

function job(i: number): Omit<TrainJob, 'cancel' | 'progress'> {
  const arch = { layers: [{ type: 'dense', units: 4 + (i % 5), activation: i % 2 ? 'relu' : 'tanh' }], hyper: {} };
  return {
    type: 'train',
    trial: i,
    attempt: 1,
    arch,
    key: String(i),
    seed: i,
    space: wf.space,
    dataset: wf.dataset!,
    dataSeed: 1,
    backend: 'wasm',
    settings: resolveSettings({ epochs: 1, batch_size: 64 }, arch),
    returnModel: i % 2 === 0, // the model-saving path too
  };
}

test('200 candidates through one worker leave the tensor count unchanged', async () => {
  const pool = new TrainPool({ threads: 1, recycleAfter: 0 });
  try {
    await pool.train(job(0)); // loads the dataset (its tensors are cached for the worker's life)
    const before = await pool.memory('wasm');
    for (let i = 1; i <= 200; i++) {
      const r = await pool.train(job(i));
      assert.is(r.cancelled, false);
    }
    const after = await pool.memory('wasm');
    assert.is(after.tasks, before.tasks + 201, 'the same worker ran them all');
    assert.is(after.numTensors, before.numTensors, `tensors: ${before.numTensors} -> ${after.numTensors}`);
    assert.ok(after.numBytes <= before.numBytes, `bytes: ${before.numBytes} -> ${after.numBytes}`);
  } finally {
    await pool.close();
  }
});

test('the pool recycles its workers after recycle_after tasks per thread', async () => {
  const pool = new TrainPool({ threads: 1, recycleAfter: 3 });
  try {
    for (let i = 0; i < 7; i++) await pool.train(job(i));
    assert.is(pool.generations, 3);
    const m = await pool.memory('wasm');
    assert.is(m.tasks, 2, 'a fresh worker (the 7th training and this call)');
  } finally {
    await pool.close();
  }
});

test.run();
