// Dropout with a new, seeded mask at every training step. tfjs-layers' Dropout passes one fixed `seed`
// to every call (the same units dropped at every step) or, without one, draws from Math.random (not
// reproducible). This subclass sets the seed before each training call from a stream derived from the
// trial seed, so the masks are fresh per step and the same in every run and worker. It keeps the class
// name 'Dropout', so saved models load as plain tfjs Dropout layers (inference never drops).

import * as tf from '@tensorflow/tfjs';
import { deriveSeed } from '../../core/rng.js';

interface DropoutArgs {
  rate: number;
  name?: string;
  seed?: number;
}

interface DropoutLayer extends tf.layers.Layer {
  seed?: number;
}

type Kwargs = Parameters<tf.layers.Layer['call']>[1];

// tfjs-layers exports only the factory; its class is the factory's product's constructor.
const Dropout = Object.getPrototypeOf(tf.layers.dropout({ rate: 0.5 })).constructor as new (
  args: DropoutArgs,
) => DropoutLayer;

export class SeededDropout extends Dropout {
  private step = 0;

  constructor(
    args: { rate: number; name?: string },
    private readonly streamSeed: number,
  ) {
    super(args);
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor | tf.Tensor[] {
    if (kwargs?.['training'] === true) this.seed = deriveSeed(this.streamSeed, 'step', this.step++);
    return super.call(inputs, kwargs);
  }
}
