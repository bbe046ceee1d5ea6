// `conv1d` with dilation > 1. tfjs' Conv2D gradient refuses dilations above 1 ("not yet supported in
// gradients"), so a dilated conv1d is written as its im2col: the k taps (steps j*dilation apart) are
// sliced from the zero-padded input and concatenated along the features, then one matmul with the
// kernel [k, in, filters] viewed as [k*in, filters]. Slice, concat and matmul differentiate on
// every backend. Same padding, stride 1, as the undilated layer.

import * as tf from '@tensorflow/tfjs';
import { applyActivation } from './activation.js';

type Init = Parameters<tf.layers.Layer['addWeight']>[3];
type Activation = 'relu' | 'elu' | 'selu' | 'tanh' | 'sigmoid' | 'swish' | 'linear';

export interface DilatedConv1DArgs {
  filters: number;
  kernel: number;
  dilation: number;
  activation: Activation;
  kernelInit?: () => Init;
  name?: string;
}

export class DilatedConv1D extends tf.layers.Layer {
  static readonly className = 'NasDilatedConv1D';
  private readonly filters: number;
  private readonly kernelSize: number;
  private readonly dilation: number;
  private readonly activationName: Activation;
  private readonly kernelInit?: () => Init;
  private kernel?: tf.LayerVariable;
  private bias?: tf.LayerVariable;

  constructor(args: DilatedConv1DArgs) {
    super({ name: args.name });
    this.filters = args.filters;
    this.kernelSize = args.kernel;
    this.dilation = args.dilation;
    this.activationName = args.activation;
    this.kernelInit = args.kernelInit;
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const c = shape[2] as number;
    const init = this.kernelInit?.() ?? tf.initializers.glorotUniform({});
    this.kernel = this.addWeight('kernel', [this.kernelSize, c, this.filters], 'float32', init);
    this.bias = this.addWeight('bias', [this.filters], 'float32', tf.initializers.zeros());
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape | tf.Shape[] {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    return [shape[0], shape[1], this.filters];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor3D;
      const [b, t, c] = x.shape;
      const span = (this.kernelSize - 1) * this.dilation;
      const before = Math.floor(span / 2); // as 'same' padding: the extra step goes after
      const padded = tf.pad(x, [
        [0, 0],
        [before, span - before],
        [0, 0],
      ]);
      const taps = Array.from({ length: this.kernelSize }, (_, j) =>
        tf.slice(padded, [0, j * this.dilation, 0], [b, t, c]),
      );
      const cols = tf.reshape(tf.concat(taps, 2), [b * t, this.kernelSize * c]);
      const w = tf.reshape((this.kernel as tf.LayerVariable).read(), [this.kernelSize * c, this.filters]);
      const y = tf.add(tf.matMul(cols, w), (this.bias as tf.LayerVariable).read());
      return tf.reshape(applyActivation(y, this.activationName) ?? y, [b, t, this.filters]);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      filters: this.filters,
      kernel: this.kernelSize,
      dilation: this.dilation,
      activation: this.activationName,
    };
  }
}

tf.serialization.registerClass(DilatedConv1D);
