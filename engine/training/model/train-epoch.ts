/**
 * One epoch of a compiled model over data already in the order to train it in: what
 * `model.fit(x, y, {epochs: 1, shuffle: false})` computes, batch for batch, with the same train
 * function (tfjs-layers' makeTrainFunction: the compiled loss, metrics and regularizers), but
 * without fit's per-batch machinery. fit gathers every batch by index, runs callbacks (two awaits
 * per batch) and keeps running sums in fresh tensors (~3% of a small CNN's step). Here a batch is
 * a contiguous slice and the sums are read once per epoch.
 * Like fit, it lets the event loop run every ~100 ms (a pool worker's cancel flag needs none).
 */
import * as tf from '@tensorflow/tfjs';

/** makeTrainFunction is not in tfjs-layers' typings; fit and trainOnBatch use it. */
interface Trainable {
  makeTrainFunction(): (data: tf.Tensor[]) => tf.Scalar[];
}

export interface EpochResult {
  /** Mean loss over the epoch's samples (batches weighted by size, as fit reports it). */
  loss: number;
  /** Mean training accuracy, as fit's `acc`. */
  accuracy: number;
  /** Batches run (fewer than all when stopped). */
  batches: number;
}

const YIELD_MS = 100;

/**
 * Trains `model` for one epoch on x, y in batches of `batchSize`, in order. After every batch
 * `afterBatch(batch)` is called; returning true stops the epoch there.
 */
export async function trainEpoch(
  model: tf.LayersModel,
  x: tf.Tensor,
  y: tf.Tensor,
  batchSize: number,
  afterBatch: (batch: number) => boolean,
): Promise<EpochResult> {
  if (model.metricsNames.length !== 2)
    throw new Error(`trainEpoch: expected a model compiled with one metric, got ${model.metricsNames.join(', ')}`);
  // a Sequential is compiled and trained through the functional model it wraps
  const functional = model instanceof tf.Sequential ? (model as unknown as { model: tf.LayersModel }).model : model;
  const step = (functional as unknown as Trainable).makeTrainFunction();
  const n = x.shape[0];
  let sums: tf.Tensor[] = [];
  let seen = 0;
  let batches = 0;
  let yielded = performance.now();
  try {
    for (let start = 0; start < n; start += batchSize) {
      const size = Math.min(batchSize, n - start);
      const next = tf.tidy(() => {
        const outs = step([tf.slice(x, start, size), tf.slice(y, start, size)]);
        const added = outs.map((o, i) => (sums[i] ? tf.add(sums[i], tf.mul(o, size)) : tf.mul(o, size)));
        tf.dispose(outs); // the train function keeps its metric values out of every scope
        return added;
      });
      tf.dispose(sums);
      sums = next;
      seen += size;
      if (afterBatch(batches++)) break;
      if (performance.now() - yielded >= YIELD_MS) {
        await new Promise((resolve) => setImmediate(resolve));
        yielded = performance.now();
      }
    }
    const [loss, accuracy] = sums.map((s) => s.dataSync()[0] / seen);
    return { loss: loss ?? NaN, accuracy: accuracy ?? NaN, batches };
  } finally {
    tf.dispose(sums);
  }
}
