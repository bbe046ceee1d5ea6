// Categorical columns: codes and the training part's vocabulary (unseen ids -> the out-of-vocabulary
// row), the embedding layer saved and loaded, and the low-rank ratings table where per-column
// embeddings beat one-hot columns through dense layers.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { loadModelFrom } from '../engine/training/model/files.js';
import { join } from 'node:path';
import { clearDatasetCache } from '../engine/training/datasets/index.js';
import { splitParts } from '../engine/training/datasets/prepare.js';
import { applyVocabulary, fitVocabulary } from '../engine/training/datasets/categorical.js';
import type { Dataset } from '../engine/training/datasets/index.js';
import { loadWorkflow } from '../engine/workflow/index.js';
import { Store } from '../engine/store/store.js';
import { startRun } from '../engine/search/run.js';
import type { WorkflowConfig } from '../engine/core/workflow.js';
import { writeRatings } from './helpers/ratings.js';
import { FIXTURES, scratch } from './helpers/paths.js';

test('ids are coded by the training part only; an id only validation has is out of vocabulary (0)', () => {
  const dir = scratch('categorical-vocab');
  try {
    clearDatasetCache();
    const rows = ['city,size,label'];
    for (let i = 0; i < 40; i++) rows.push(`${['paris', 'rome', 'oslo'][i % 3]},${i},${i % 2 ? 'a' : 'b'}`);
    writeFileSync(join(dir, 't.csv'), rows.join('\n') + '\n');
    const cfg = {
      source: `csv:${join(dir, 't.csv')}`,
      label: 'label',
      categorical: ['city'],
      split: { validation: 0.25 },
    };
    const parts = splitParts(cfg, undefined, 3);
    const cat = parts.train.categorical!;
    assert.equal(cat.positions, [0]);
    assert.equal(cat.vocabulary, [['oslo', 'paris', 'rome']]);
    const col = (ds: Dataset, j: number) => Array.from({ length: ds.n }, (_, i) => ds.x[i * 2 + j]);
    assert.ok(
      col(parts.train, 0).every((v) => [1, 2, 3].includes(v)),
      'ids 1..3, not standardised',
    );
    assert.ok(
      col(parts.train, 1).every((v) => Math.abs(v) < 2),
      'the numeric column is standardised',
    );
    // a value the training part lacks: loaded codes 0 (oslo) and 1 (paris) in training, 2 (rome) elsewhere
    const base = {
      ...parts.train,
      categorical: { names: ['city'], positions: [0], values: [['oslo', 'paris', 'rome']] },
    };
    const vocab = fitVocabulary({ ...base, x: Float32Array.from([0, 5, 1, 6, 0, 7]), n: 3 })!;
    assert.equal(vocab.cat.vocabulary, [['oslo', 'paris']]);
    const other = applyVocabulary({ ...base, x: Float32Array.from([2, 5, 1, 6]), n: 2 }, vocab);
    assert.equal(Array.from(other.x), [0, 5, 2, 6], 'rome -> 0 (out of vocabulary), paris -> 2');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

async function bestR2(wf: WorkflowConfig, store: string): Promise<{ r2: number; model: string }> {
  const s = Store.open(store);
  try {
    const summary = await startRun(s, wf);
    assert.is(summary.status, 'complete', summary.reason);
    return {
      r2: summary.best!.metrics.r2,
      model: join(`${store}.models`, String(summary.run), String(summary.best!.number)),
    };
  } finally {
    s.close();
  }
}

test('low-rank ratings: per-column embeddings beat one-hot columns through dense layers', async () => {
  const dir = scratch('categorical-ratings');
  try {
    clearDatasetCache();
    const files = writeRatings(dir);
    const emb = loadWorkflow(join(FIXTURES, 'categorical', 'embeddings.yaml'));
    const hot = loadWorkflow(join(FIXTURES, 'categorical', 'one-hot.yaml'));
    const { r2: embR2, model } = await bestR2(
      { ...emb, dataset: { ...emb.dataset!, source: `csv:${files.ids}`, label: 'label' } },
      join(dir, 'e.sqlite'),
    );
    const { r2: hotR2 } = await bestR2(
      { ...hot, dataset: { ...hot.dataset!, source: `csv:${files.oneHot}`, label: 'label' } },
      join(dir, 'h.sqlite'),
    );
    console.log(JSON.stringify({ rows: files.rows, embeddings_r2: embR2, one_hot_r2: hotR2 }));
    assert.ok(embR2 > hotR2 + 0.05, `embeddings ${embR2} vs one-hot ${hotR2}`);
    // the kept model loads again (the embedding layer is registered) and takes out-of-vocabulary ids
    const m = await loadModelFrom(model, { compile: false });
    const y = m.predict(
      tf.tensor2d([
        [0, 0],
        [3, 4],
      ]),
    ) as tf.Tensor;
    assert.ok(Array.from(y.dataSync()).every(Number.isFinite));
    const meta = JSON.parse(readFileSync(join(model, 'meta.json'), 'utf8')) as {
      categorical: Record<string, string[]>;
    };
    assert.is(meta.categorical.user.length, 60, 'the vocabulary of each column is kept with the model');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
