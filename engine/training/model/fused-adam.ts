// Adam with one native kernel per variable and step on the wasm backend (NasAdamUpdate,
// engine/training/kernels/adam-update.ts) instead of tfjs's fourteen elementwise kernels: on a
// model with a large dense layer those passes over its weights cost more than its matmuls. The
// kernel writes the new moments over the old ones. It is tfjs's AdamOptimizer in every other
// respect (state variables, serialisation as 'Adam', getWeights and setWeights), and exactly it on
// other backends.

import * as tf from '@tensorflow/tfjs';
import { ADAM_UPDATE, type AdamUpdateAttrs } from '../kernels/adam-update.js';

type Slot = { originalName: string; variable: tf.Variable };

/** AdamOptimizer's state, private in its typings. */
interface AdamState {
  accBeta1: tf.Variable;
  accBeta2: tf.Variable;
  accumulatedFirstMoment: Slot[];
  accumulatedSecondMoment: Slot[];
}

type Gradients = Parameters<tf.AdamOptimizer['applyGradients']>[0];

export class FusedAdamOptimizer extends tf.AdamOptimizer {
  override applyGradients(variableGradients: Gradients): void {
    if (tf.getBackend() !== 'wasm' || tf.getKernel(ADAM_UPDATE, 'wasm') === undefined) {
      super.applyGradients(variableGradients);
      return;
    }
    const s = this as unknown as AdamState;
    const list: { name: string; tensor: tf.Tensor | null }[] = Array.isArray(variableGradients)
      ? variableGradients
      : Object.entries(variableGradients).map(([name, tensor]) => ({ name, tensor }));
    tf.tidy(() => {
      const attrs: AdamUpdateAttrs = {
        beta1: this.beta1,
        beta2: this.beta2,
        oneMinusAccBeta1: 1 - s.accBeta1.dataSync()[0],
        oneMinusAccBeta2: 1 - s.accBeta2.dataSync()[0],
        learningRate: this.learningRate,
        epsilon: this.epsilon,
        // over the old moments, unless a gradient tape is recording (it would keep them)
        inPlace: tf.engine().state.gradientDepth === 0,
      };
      list.forEach(({ name, tensor: gradient }, i) => {
        const value = tf.engine().registeredVariables[name];
        s.accumulatedFirstMoment[i] ??= {
          originalName: `${name}/m`,
          variable: tf.tidy(() => tf.zerosLike(value).variable(false)),
        };
        s.accumulatedSecondMoment[i] ??= {
          originalName: `${name}/v`,
          variable: tf.tidy(() => tf.zerosLike(value).variable(false)),
        };
        if (gradient == null) return;
        const m = s.accumulatedFirstMoment[i].variable;
        const v = s.accumulatedSecondMoment[i].variable;
        const [w1, m1, v1] = tf
          .engine()
          .runKernel(ADAM_UPDATE, { w: value, g: gradient, m, v }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
        m.assign(m1);
        v.assign(v1);
        value.assign(w1);
      });
      s.accBeta1.assign(tf.mul(s.accBeta1, this.beta1));
      s.accBeta2.assign(tf.mul(s.accBeta2, this.beta2));
    });
    this.incrementIterations();
  }
}

/** tf.train.adam's defaults (beta1 0.9, beta2 0.999, the backend's epsilon). */
export function fusedAdam(learningRate: number): FusedAdamOptimizer {
  return new FusedAdamOptimizer(learningRate, 0.9, 0.999);
}
