// Compiles a model for classification with one-hot labels (or regression on a scaled target column) and returns the optimizer, which the caller
// must dispose (model.dispose() does not dispose an optimizer passed as an object).
//
// Weight decay is added to the gradients of kernels (not biases or batch-norm parameters) before the
// optimizer's update: g + wd * w, as torch.optim's weight_decay does. Doing it on the gradients rather
// than as a loss term keeps the reported loss plain cross-entropy.

import * as tf from '@tensorflow/tfjs';
import { HYPER_PARAMS } from '../../space/layers.js';
import type { Json } from '../../core/types.js';
import { unbuildable } from './params.js';
import { fusedAdam } from './fused-adam.js';

export const OPTIMIZERS = ['adam', 'sgd', 'rmsprop', 'adagrad'] as const;
export type OptimizerName = (typeof OPTIMIZERS)[number];

export interface CompileOptions {
  optimizer?: OptimizerName | string;
  learningRate?: number;
  weightDecay?: number;
  /** Mean squared error (on the scaled target) instead of cross-entropy, mean absolute error as the metric. */
  regression?: boolean;
}

export function makeOptimizer(name: string, lr: number): tf.Optimizer {
  switch (name) {
    case 'adam':
      return fusedAdam(lr);
    case 'sgd':
      return tf.train.sgd(lr);
    case 'rmsprop':
      return tf.train.rmsprop(lr);
    case 'adagrad':
      return tf.train.adagrad(lr);
    default:
      throw unbuildable(`unknown optimizer ${JSON.stringify(name)}; choose one of ${OPTIMIZERS.join(', ')}`);
  }
}

const KERNEL = /kernel(_\d+)?$/;

function addWeightDecay(optimizer: tf.Optimizer, model: tf.LayersModel, wd: number): void {
  const kernels = new Map<string, tf.Tensor>();
  for (const w of model.trainableWeights)
    if (KERNEL.test(w.originalName) || KERNEL.test(w.name)) kernels.set(w.name, w.read());
  const apply = optimizer.applyGradients.bind(optimizer);
  optimizer.applyGradients = (grads: tf.NamedTensorMap | { name: string; tensor: tf.Tensor }[]) => {
    tf.tidy(() => {
      const list = Array.isArray(grads) ? grads : Object.entries(grads).map(([name, tensor]) => ({ name, tensor }));
      const decayed: tf.NamedTensorMap = {};
      for (const { name, tensor } of list) {
        const v = kernels.get(name);
        decayed[name] = v ? tf.add(tensor, tf.mul(v, wd)) : tensor;
      }
      apply(decayed);
    });
  };
}

export function compileModel(model: tf.LayersModel, options: CompileOptions = {}): tf.Optimizer {
  const lr = options.learningRate ?? 0.001;
  if (!(lr > 0)) throw unbuildable(`learning rate must be > 0, got ${lr}`);
  const wd = options.weightDecay ?? 0;
  if (!(wd >= 0)) throw unbuildable(`weight decay must be >= 0, got ${wd}`);
  const optimizer = makeOptimizer(options.optimizer ?? 'adam', lr);
  if (wd > 0) addWeightDecay(optimizer, model, wd);
  model.compile(
    options.regression
      ? { optimizer, loss: 'meanSquaredError', metrics: ['mae'] }
      : { optimizer, loss: 'categoricalCrossentropy', metrics: ['accuracy'] },
  );
  return optimizer;
}

/** Compile options from a chain arch's `hyper` (learning_rate, optimizer, weight_decay), HYPER_PARAMS defaults otherwise. */
export function compileOptionsFromHyper(hyper: Record<string, Json> = {}): CompileOptions {
  const get = (name: string): Json => hyper[name] ?? HYPER_PARAMS[name]?.default ?? null;
  const num = (name: string): number => {
    const v = get(name);
    if (typeof v !== 'number') throw unbuildable(`hyperparameter ${name} must be a number, got ${JSON.stringify(v)}`);
    return v;
  };
  return { optimizer: String(get('optimizer')), learningRate: num('learning_rate'), weightDecay: num('weight_decay') };
}
