// The `lstm` and `gru` chain layers, optionally bidirectional (outputs concatenated, forward first),
// as one layer of our own: the input projection x W + b for all steps is one matmul, and the
// recurrence is recurrence.ts (one native call forward and one backward on wasm). tfjs-layers' LSTM
// and GRU run a JS loop of small kernels per step, several times slower to train. The maths is
// theirs (same gates, hard sigmoid by default, zero initial states) and so are the weights' shapes
// and names: kernel [features, G*units], recurrent_kernel [units, G*units], bias [G*units] per
// direction, G = 4 (LSTM) or 3 (GRU), the backward direction's prefixed `backward_`. Registered, so
// saved models load again; models saved before with tfjs' LSTM/GRU load as those layers still.

import * as tf from '@tensorflow/tfjs';
import { GATES, recurrence, type Cell } from './recurrence.js';

type Init = Parameters<tf.layers.Layer['addWeight']>[3];

export interface FusedRecurrentArgs {
  cell: Cell;
  units: number;
  returnSequences: boolean;
  bidirectional: boolean;
  /** tfjs-layers' default (and so the chain builder's) is hardSigmoid. */
  recurrentActivation?: 'hardSigmoid' | 'sigmoid';
  /** Initialisers of the kernels (build only; a loaded model takes its saved weights). */
  kernelInitializer?: Init;
  recurrentInitializer?: Init;
  /** The backward direction's own (a bidirectional layer); the forward ones when absent. */
  backwardKernelInitializer?: Init;
  backwardRecurrentInitializer?: Init;
  name?: string;
}

interface Direction {
  kernel: tf.LayerVariable;
  recurrent: tf.LayerVariable;
  bias: tf.LayerVariable;
  reverse: boolean;
}

export class FusedRecurrent extends tf.layers.Layer {
  static readonly className = 'NasRecurrent';
  private readonly cell: Cell;
  private readonly units: number;
  private readonly returnSequences: boolean;
  private readonly bidirectional: boolean;
  private readonly recurrentActivation: 'hardSigmoid' | 'sigmoid';
  private readonly kernelInit?: Init;
  private readonly recurrentInit?: Init;
  private readonly backwardKernelInit?: Init;
  private readonly backwardRecurrentInit?: Init;
  private directions: Direction[] = [];

  constructor(args: FusedRecurrentArgs) {
    super({ name: args.name });
    if (args.cell !== 'lstm' && args.cell !== 'gru') throw new Error(`NasRecurrent: cell must be lstm or gru`);
    this.cell = args.cell;
    this.units = args.units;
    this.returnSequences = args.returnSequences;
    this.bidirectional = args.bidirectional;
    this.recurrentActivation = args.recurrentActivation ?? 'hardSigmoid';
    this.kernelInit = args.kernelInitializer;
    this.recurrentInit = args.recurrentInitializer;
    this.backwardKernelInit = args.backwardKernelInitializer ?? args.kernelInitializer;
    this.backwardRecurrentInit = args.backwardRecurrentInitializer ?? args.recurrentInitializer;
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const features = shape[shape.length - 1] as number;
    const width = GATES[this.cell] * this.units;
    // Each direction takes its own initialisers: seeded ones given to both would start the two
    // directions from the same weights (as tfjs' Bidirectional, wrapping one configured layer, did).
    const make = (prefix: string, reverse: boolean): Direction => ({
      kernel: this.addWeight(
        `${prefix}kernel`,
        [features, width],
        'float32',
        (reverse ? this.backwardKernelInit : this.kernelInit) ?? tf.initializers.glorotUniform({}),
      ),
      recurrent: this.addWeight(
        `${prefix}recurrent_kernel`,
        [this.units, width],
        'float32',
        (reverse ? this.backwardRecurrentInit : this.recurrentInit) ?? tf.initializers.glorotUniform({}),
      ),
      bias: this.addWeight(`${prefix}bias`, [width], 'float32', tf.initializers.zeros()),
      reverse,
    });
    this.directions = this.bidirectional ? [make('', false), make('backward_', true)] : [make('', false)];
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const out = this.units * (this.bidirectional ? 2 : 1);
    return this.returnSequences ? [shape[0], shape[1], out] : [shape[0], out];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor3D;
      const [batch, steps, features] = x.shape;
      const flat = tf.reshape(x, [batch * steps, features]);
      const width = GATES[this.cell] * this.units;
      const outs = this.directions.map((d) => {
        const xp = tf.reshape(tf.add(tf.matMul(flat, d.kernel.read()), d.bias.read()), [batch, steps, width]);
        return recurrence(xp as tf.Tensor3D, d.recurrent.read() as tf.Tensor2D, {
          cell: this.cell,
          reverse: d.reverse,
          sigmoid: this.recurrentActivation === 'sigmoid',
          returnSequences: this.returnSequences,
        });
      });
      return outs.length === 1 ? outs[0] : tf.concat(outs, -1);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      cell: this.cell,
      units: this.units,
      returnSequences: this.returnSequences,
      bidirectional: this.bidirectional,
      recurrentActivation: this.recurrentActivation,
    };
  }
}

tf.serialization.registerClass(FusedRecurrent);
