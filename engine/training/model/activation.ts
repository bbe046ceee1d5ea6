// The catalogue's activations (engine/space/layers.ts ACTIVATIONS) as tensor ops, for layers written
// with tf ops rather than tfjs-layers (the dilated conv1d, the DARTS chain supernet).

import * as tf from '@tensorflow/tfjs';

/** `x` through activation `name`; null for a name the catalogue does not have. */
export function applyActivation(x: tf.Tensor, name: string): tf.Tensor | null {
  switch (name) {
    case 'relu':
      return tf.relu(x);
    case 'elu':
      return tf.elu(x);
    case 'selu':
      return tf.selu(x);
    case 'tanh':
      return tf.tanh(x);
    case 'sigmoid':
      return tf.sigmoid(x);
    case 'swish':
      return tf.mul(x, tf.sigmoid(x));
    case 'linear':
      return x;
    default:
      return null;
  }
}
