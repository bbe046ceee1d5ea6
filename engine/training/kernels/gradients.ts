/**
 * Gradients replacing tfjs-core's (registered for every backend: the math is the same).
 *
 * Mean and Sum: theirs multiply dy by ones(x.shape), which fills the ones in a JS loop and
 * uploads them on every step (1.4 ms of the reference CNN's 21 ms training step on wasm: global
 * average pooling and batch-norm moments). dy broadcast to x's shape (a Tile) is the same gradient.
 *
 * Max (a global max pool over the steps of a sequence): theirs is dy * (x == y) with dy and y
 * broadcast inside Equal and Multiply, which on wasm take the bundled per-element broadcast path:
 * 142 ms of a 294 ms conv1d training step (batch 64, 200 steps, 64 channels). Ours: one NasMaxGrad
 * pass (max-grad.ts) where the backend has it and the reduced axes are one run; elsewhere dy and y
 * broadcast first (Tile, native row copies), then an elementwise Equal and Multiply: the same
 * gradient (every position equal to the maximum gets dy, as tfjs).
 *
 * Relu: one NasReluGrad kernel where the backend has it (wasm), instead of Step then Multiply;
 * tfjs's own composition elsewhere. NasFusedConv2D: ours (fused-conv2d.ts).
 */
import * as tf from '@tensorflow/tfjs';
import { RELU_GRAD, reluGradient } from './relu-grad.js';
import { fusedConv2dGradConfig } from './fused-conv2d.js';
import { nativeMaxGradient } from './max-grad.js';

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

const maxGrad: tf.GradConfig = {
  kernelName: 'Max',
  inputsToSave: ['x'],
  outputsToSave: [true],
  gradFunc: (dy, saved, attrs) => {
    const [x, y] = saved;
    const axes = tf.util.parseAxisParam((attrs as unknown as tf.MaxAttrs).reductionIndices, x.shape);
    const expanded = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
    return {
      x: () => {
        const native = nativeMaxGradient(dy as tf.Tensor, x, y, axes);
        if (native !== undefined) return native;
        const yb = tf.broadcastTo(tf.reshape(y, expanded), x.shape);
        const dyb = tf.broadcastTo(tf.reshape(dy as tf.Tensor, expanded), x.shape);
        return tf.mul(dyb, tf.cast(tf.equal(x, yb), 'float32'));
      },
    };
  },
};

const reluGrad: tf.GradConfig = {
  kernelName: 'Relu',
  inputsToSave: ['x'],
  gradFunc: (dy, saved) => ({ x: () => reluGradient(dy as tf.Tensor, saved[0]) }),
};

/** NasReluGrad is linear in dy, and step(x) has zero gradient: higher-order gradients still work. */
const reluGradGrad: tf.GradConfig = {
  kernelName: RELU_GRAD,
  inputsToSave: ['x'],
  gradFunc: (g, saved) => ({ dy: () => reluGradient(g as tf.Tensor, saved[0]), x: () => tf.zerosLike(saved[0]) }),
};

const configs = [reduceGrad('Mean'), reduceGrad('Sum'), maxGrad, reluGrad, reluGradGrad, fusedConv2dGradConfig];

/** Registers the gradients above (idempotent; the registry is per JS realm, like kernels). */
export function registerGradientFixes(): void {
  for (const config of configs) {
    if (tf.getGradient(config.kernelName) !== config) tf.registerGradient(config);
  }
}
