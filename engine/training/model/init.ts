// Seeded weight initialisation: every kernel gets its own seed derived from the trial seed and a
// running counter, so the same spec and seed build the same initial weights (layer by layer, in
// build order). Each dropout layer gets a seed of its own too (a separate counter, so adding dropout
// does not move the kernels' seeds), from which SeededDropout draws a new mask per training step.

import * as tf from '@tensorflow/tfjs';
import { deriveSeed } from '../../core/rng.js';

export class SeededInit {
  private count = 0;
  private dropouts = 0;
  constructor(private readonly seed: number) {}

  /** Glorot-uniform (the Keras default for conv and dense kernels), with the next seed. */
  kernel(): ReturnType<typeof tf.initializers.glorotUniform> {
    return tf.initializers.glorotUniform({ seed: deriveSeed(this.seed, 'init', this.count++) });
  }

  /** The seed of the next dropout layer's mask stream. */
  dropout(): number {
    return deriveSeed(this.seed, 'dropout', this.dropouts++);
  }

  /** Uniform in [-limit, limit] (Keras' embedding default, limit 0.05), with the next seed. */
  uniform(limit: number): ReturnType<typeof tf.initializers.randomUniform> {
    return tf.initializers.randomUniform({
      minval: -limit,
      maxval: limit,
      seed: deriveSeed(this.seed, 'init', this.count++),
    });
  }
}
