// Zero-cost proxies computed in tfjs on an untrained network (Abdelfattah et al. 2021; Mellor et al. 2021;
// Tanaka et al. 2020). Each takes a built model and a small batch and returns one number (larger is
// better as a ranking signal). The classifier's softmax is left out: proxies look at the logits.
//   synflow   sum over weights of |w * dR/dw|, R = sum of logits on an all-ones input, with every
//             weight replaced by its absolute value (weights are restored afterwards);
//   grad_norm sum over weight tensors of the L2 norm of d(cross-entropy)/dw on the batch;
//   naswot    log |det K|, K[i][j] = units where the ReLU codes of inputs i and j agree (NASWOT);
//   jacob_cov -sum_k log(v_k + 1e-5) + 1 / (v_k + 1e-5), v = eigenvalues of the correlation matrix of
//             the per-input Jacobians d(sum of logits)/dx.

import * as tf from '@tensorflow/tfjs';
import { corrcoef, logAbsDet, symmetricEigenvalues } from './linalg.js';

export const PROXIES = ['synflow', 'grad_norm', 'naswot', 'jacob_cov'] as const;
export type ProxyName = (typeof PROXIES)[number];

/** The model's output before a final softmax (or the output itself when it has none), differentiable. */
export function logitsFn(model: tf.LayersModel): (x: tf.Tensor) => tf.Tensor {
  const last = model.layers[model.layers.length - 1];
  const cfg = last.getConfig() as { activation?: string };
  if (last.getClassName() === 'Dense' && cfg.activation === 'softmax') {
    const body = tf.model({ inputs: model.inputs, outputs: last.input as tf.SymbolicTensor });
    const [kernel, bias] = last.trainableWeights.map((w) => w.read());
    return (x) => {
      const h = body.apply(x, { training: false }) as tf.Tensor;
      const z = tf.matMul(h as tf.Tensor2D, kernel as tf.Tensor2D);
      return bias ? tf.add(z, bias) : z;
    };
  }
  if (last.getClassName() === 'Activation' && cfg.activation === 'softmax') {
    const body = tf.model({ inputs: model.inputs, outputs: last.input as tf.SymbolicTensor });
    return (x) => body.apply(x, { training: false }) as tf.Tensor;
  }
  return (x) => model.apply(x, { training: false }) as tf.Tensor;
}

function trainableVariables(model: tf.LayersModel): tf.Variable[] {
  return model.trainableWeights.map((w) => w.read() as tf.Variable);
}

export function synflow(model: tf.LayersModel, inputShape: readonly number[]): number {
  const saved = model.getWeights().map((w) => w.clone());
  try {
    model.setWeights(saved.map((w) => tf.abs(w)));
    return tf.tidy(() => {
      const f = logitsFn(model);
      const x = tf.ones([1, ...inputShape]);
      const vars = trainableVariables(model);
      const { grads } = tf.variableGrads(() => tf.sum(f(x)) as tf.Scalar, vars);
      let s = 0;
      for (const v of vars) {
        const g = grads[v.name];
        if (g) s += tf.sum(tf.abs(tf.mul(v, g))).dataSync()[0];
      }
      return s;
    });
  } finally {
    model.setWeights(saved);
    tf.dispose(saved);
  }
}

export function gradNorm(model: tf.LayersModel, x: tf.Tensor, yOneHot: tf.Tensor): number {
  return tf.tidy(() => {
    const f = logitsFn(model);
    const vars = trainableVariables(model);
    const { grads } = tf.variableGrads(() => tf.losses.softmaxCrossEntropy(yOneHot, f(x)) as tf.Scalar, vars);
    let s = 0;
    for (const v of vars) {
      const g = grads[v.name];
      if (g) s += Math.sqrt(tf.sum(tf.square(g)).dataSync()[0]);
    }
    return s;
  });
}

function isRelu(layer: tf.layers.Layer): boolean {
  const cfg = layer.getConfig() as { activation?: string };
  return layer.getClassName() === 'ReLU' || cfg.activation === 'relu';
}

/** Binary ReLU codes per input: rows of 0/1, one column per ReLU unit of the network. */
export function reluCodes(model: tf.LayersModel, x: tf.Tensor): number[][] {
  const layers = model.layers.filter(isRelu);
  const n = x.shape[0];
  if (layers.length === 0) return Array.from({ length: n }, () => []);
  const probe = tf.model({ inputs: model.inputs, outputs: layers.map((l) => l.output as tf.SymbolicTensor) });
  const outs = tf.tidy(() => {
    const o = probe.predict(x);
    return (Array.isArray(o) ? o : [o]).map((t) => t.reshape([n, -1]).greater(0).toFloat().arraySync() as number[][]);
  });
  return Array.from({ length: n }, (_, i) => outs.flatMap((o) => o[i]));
}

/** NASWOT score from ReLU codes (exported for tests). */
export function naswotFromCodes(codes: readonly (readonly number[])[]): number {
  const n = codes.length;
  const K = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let i = 0; i < n; i++) {
    for (let j = i; j < n; j++) {
      let agree = 0;
      for (let k = 0; k < codes[i].length; k++) if (codes[i][k] === codes[j][k]) agree++;
      K[i][j] = agree;
      K[j][i] = agree;
    }
  }
  return logAbsDet(K);
}

export function naswot(model: tf.LayersModel, x: tf.Tensor): number {
  return naswotFromCodes(reluCodes(model, x));
}

/** The embedding that reads the model's input (token ids), if any. */
function inputEmbedding(model: tf.LayersModel): tf.layers.Layer | undefined {
  return model.layers.find(
    (l) => l.getClassName() === 'Embedding' && l.inboundNodes[0]?.inboundLayers[0] === model.layers[0],
  );
}

/**
 * Token ids are not differentiable: for a model that embeds its input, the Jacobian is taken with
 * respect to the embedded vectors instead, one sample at a time (the gradient of that sample's
 * logits on the embedding table, read at its ids; a token repeated in a sample gets the sum over its
 * positions at each of them).
 */
function embeddedJacobians(model: tf.LayersModel, embedding: tf.layers.Layer, x: tf.Tensor): number[][] {
  const f = logitsFn(model);
  const table = embedding.trainableWeights[0].read() as tf.Variable;
  const out: number[][] = [];
  for (let i = 0; i < x.shape[0]; i++) {
    out.push(
      tf.tidy(() => {
        const xi = tf.slice(x, [i], [1]);
        const { grads } = tf.variableGrads(() => tf.sum(f(xi)) as tf.Scalar, [table]);
        return Array.from(tf.gather(grads[table.name], tf.cast(tf.reshape(xi, [-1]), 'int32')).dataSync());
      }),
    );
  }
  return out;
}

/** Per-input Jacobians d(sum of logits)/dx, flattened (exported for tests). */
export function inputJacobians(model: tf.LayersModel, x: tf.Tensor): number[][] {
  const embedding = inputEmbedding(model);
  if (embedding) return embeddedJacobians(model, embedding, x);
  return tf.tidy(() => {
    const f = logitsFn(model);
    const g = tf.grad((xi: tf.Tensor) => tf.sum(f(xi)))(x);
    return g.reshape([x.shape[0], -1]).arraySync() as number[][];
  });
}

export function jacobCovFromJacobians(J: readonly (readonly number[])[], k = 1e-5): number {
  const v = symmetricEigenvalues(corrcoef(J));
  return -v.reduce((s, e) => s + Math.log(Math.max(e, 0) + k) + 1 / (Math.max(e, 0) + k), 0);
}

export function jacobCov(model: tf.LayersModel, x: tf.Tensor): number {
  return jacobCovFromJacobians(inputJacobians(model, x));
}

/** Every requested proxy of one model on one batch. */
export function computeProxies(
  model: tf.LayersModel,
  names: readonly ProxyName[],
  batch: { x: tf.Tensor; y: tf.Tensor; inputShape: readonly number[] },
): Record<ProxyName, number> {
  const out = {} as Record<ProxyName, number>;
  for (const name of names) {
    switch (name) {
      case 'synflow':
        out.synflow = synflow(model, batch.inputShape);
        break;
      case 'grad_norm':
        out.grad_norm = gradNorm(model, batch.x, batch.y);
        break;
      case 'naswot':
        out.naswot = naswot(model, batch.x);
        break;
      case 'jacob_cov':
        out.jacob_cov = jacobCov(model, batch.x);
        break;
    }
  }
  return out;
}
