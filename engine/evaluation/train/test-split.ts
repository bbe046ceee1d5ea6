// The held-out test split, evaluated once at the end of a run: each of the top trials' kept models
// (trained on the training part only) predicts the test rows, which no training or validation batch of
// the search contained (prepareData never holds them). Runs in the main thread after the pool is closed.

import * as tf from '@tensorflow/tfjs';
import { deriveSeed } from '../../core/rng.js';
import type { Metrics } from '../../core/types.js';
import type { WorkflowConfig } from '../../core/workflow.js';
import { initBackend, type BackendChoice } from '../../training/backend.js';
import { prepareTestData } from '../../training/datasets/prepare.js';
import { loadModelFrom } from '../../training/model/files.js';
import { evaluateModel } from './core.js';
import { TRAIN_DEFAULTS } from './options.js';
import { evaluateRegression } from './regression.js';

/** Test-split metrics of the models saved in `dirs` (trial -> model directory), same names as validation's. */
export async function evaluateTestSplit(wf: WorkflowConfig, dirs: Map<number, string>): Promise<Map<number, Metrics>> {
  const out = new Map<number, Metrics>();
  if (dirs.size === 0) return out;
  await initBackend((wf.evaluation.backend as BackendChoice | undefined) ?? TRAIN_DEFAULTS.backend);
  const batch = (wf.evaluation.eval_batch_size as number | undefined) ?? TRAIN_DEFAULTS.eval_batch_size;
  // the same data seed as the train evaluator's, so these are exactly the rows its workers left out
  const data = prepareTestData(wf.dataset!, wf.space, deriveSeed(wf.seed, 'dataset'));
  try {
    for (const [trial, dir] of dirs) {
      const model = await loadModelFrom(dir, { compile: !data.targetScaling });
      try {
        out.set(
          trial,
          data.targetScaling
            ? evaluateRegression(model, data.x, data.test.targets!, data.targetScaling, batch)
            : evaluateModel(model, data.x, data.y!, batch),
        );
      } finally {
        model.dispose();
      }
    }
  } finally {
    tf.dispose([data.x, ...(data.y ? [data.y] : [])]);
  }
  return out;
}
