/**
 * Gradients of Mean and Sum, replacing tfjs-core's (for every backend: the math is the same).
 * Theirs multiply dy by ones(x.shape), which fills the ones in a JS loop and uploads them on
 * every step (1.4 ms of the reference CNN's 21 ms training step on wasm: global average
 * pooling and batch-norm moments). dy broadcast to x's shape (a Tile) is the same gradient.
 */
import * as tf from '@tensorflow/tfjs';

function reduceGrad(kernelName: 'Mean' | 'Sum'): tf.GradConfig {
  return {
    kernelName,
    inputsToSave: ['x'],
    gradFunc: (dy, saved, attrs) => {
      const [x] = saved;
      const axes = tf.util.parseAxisParam((attrs as unknown as tf.SumAttrs).axis, x.shape);
      const expanded = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
      const count = axes.reduce((n, a) => n * x.shape[a], 1);
      return {
        x: () => {
          const spread = tf.broadcastTo(tf.reshape(tf.cast(dy as tf.Tensor, 'float32'), expanded), x.shape);
          return kernelName === 'Mean' ? tf.div(spread, count) : spread;
        },
      };
    },
  };
}

const configs = [reduceGrad('Mean'), reduceGrad('Sum')];

/** Registers the gradients above (idempotent; the registry is per JS realm, like kernels). */
export function registerGradientFixes(): void {
  for (const config of configs) {
    if (tf.getGradient(config.kernelName) !== config) tf.registerGradient(config);
  }
}
