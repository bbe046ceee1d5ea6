// Seeded weight initialisation: every kernel gets its own seed derived from the trial seed and a
// running counter, so the same spec and seed build the same initial weights (layer by layer, in
// build order). Dropout masks are deliberately not seeded: tfjs reuses a fixed seed for every call,
// which would drop the same units at every step.

import * as tf from '@tensorflow/tfjs';
import { deriveSeed } from '../../rng.js';

export class SeededInit {
  private count = 0;
  constructor(private readonly seed: number) {}

  /** Glorot-uniform (the Keras default for conv and dense kernels), with the next seed. */
  kernel(): ReturnType<typeof tf.initializers.glorotUniform> {
    return tf.initializers.glorotUniform({ seed: deriveSeed(this.seed, 'init', this.count++) });
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
