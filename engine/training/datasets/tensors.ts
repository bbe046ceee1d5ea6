// Dataset -> tensors for model.fit / evaluate: features in the dataset's shape, labels one-hot
// (the models are compiled with categoricalCrossentropy). The caller disposes them.

import * as tf from '@tensorflow/tfjs';
import type { Dataset } from './types.js';

export function toTensors(ds: Dataset): { x: tf.Tensor; y: tf.Tensor2D } {
  return tf.tidy(() => ({
    x: tf.tensor(ds.x, [ds.n, ...ds.featureShape], 'float32'),
    y: tf.oneHot(tf.tensor1d(ds.y, 'int32'), ds.classes).toFloat() as tf.Tensor2D,
  }));
}
