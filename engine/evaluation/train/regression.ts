// Validation metrics of a regression model, in the target's own units: mse, mae, rmse and r2
// (1 - residual sum of squares / total sum of squares around the evaluated targets' mean, as
// scikit-learn's r2_score, so a constant prediction of that mean scores 0).

import * as tf from '@tensorflow/tfjs';
import type { Metrics } from '../../core/types.js';

export function regressionMetrics(predicted: ArrayLike<number>, truth: ArrayLike<number>): Metrics {
  const n = truth.length;
  if (predicted.length !== n || n === 0)
    throw new Error(`regressionMetrics: ${predicted.length} predictions for ${n} targets`);
  let mean = 0;
  for (let i = 0; i < n; i++) mean += truth[i];
  mean /= n;
  let sse = 0;
  let sae = 0;
  let sst = 0;
  for (let i = 0; i < n; i++) {
    const e = predicted[i] - truth[i];
    sse += e * e;
    sae += Math.abs(e);
    sst += (truth[i] - mean) ** 2;
  }
  const mse = sse / n;
  // all targets equal: r2 is undefined; 0 unless the prediction is exact (as scikit-learn does)
  const r2 = sst > 0 ? 1 - sse / sst : sse === 0 ? 1 : 0;
  return { mse, mae: sae / n, rmse: Math.sqrt(mse), r2 };
}

/**
 * The model's predictions for `x` mapped back to the target's units, and the metrics against `targets`;
 * `loss` is the mean squared error on the scaled target (the training loss, comparable across epochs).
 */
export function evaluateRegression(
  model: tf.LayersModel,
  x: tf.Tensor,
  targets: Float32Array,
  scaling: { mean: number; std: number },
  batchSize: number,
): Metrics {
  const out = model.predict(x, { batchSize }) as tf.Tensor;
  const scaled = out.dataSync();
  out.dispose();
  const predicted = Float64Array.from(scaled, (v) => v * scaling.std + scaling.mean);
  const m = regressionMetrics(predicted, targets);
  return { ...m, loss: m.mse / (scaling.std * scaling.std) };
}
