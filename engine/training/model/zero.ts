// A layer whose output is zeros shaped like its input: the value of a cell node whose incoming edges
// are all `none` (NB201's Zero op), so such a cell still builds as a graph.

import * as tf from '@tensorflow/tfjs';

export class ZeroLayer extends tf.layers.Layer {
  static readonly className = 'NasZero';

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => tf.zerosLike(Array.isArray(inputs) ? inputs[0] : inputs));
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape | tf.Shape[] {
    return inputShape;
  }
}

// registered so that saved models holding it can be loaded again
tf.serialization.registerClass(ZeroLayer);

export function zeroLike(x: tf.SymbolicTensor, name: string): tf.SymbolicTensor {
  return new ZeroLayer({ name }).apply(x) as tf.SymbolicTensor;
}
