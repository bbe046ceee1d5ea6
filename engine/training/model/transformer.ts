// The `attention` chain layer: a Transformer encoder block (Vaswani et al. 2017, post-norm as in
// Keras' TransformerEncoder): x1 = LN(x + Dropout(MHA(x))), y = LN(x1 + Dropout(FF(x1))), FF a relu
// dense of `ffUnits` then a linear one back to the model width. tfjs-layers has no multi-head
// attention layer (4.22 exports none), so this is our own, written with tf ops that every backend
// differentiates; both layers are registered so saved models load again.
// Padding (token id 0) is attended to like any token: the model learns to ignore it, as Keras'
// examples do without a mask; masking would need tfjs-layers' mask plumbing through every layer.

import * as tf from '@tensorflow/tfjs';
import { deriveSeed } from '../../core/rng.js';

type Init = tf.serialization.Serializable & Parameters<tf.layers.Layer['addWeight']>[3];

export interface EncoderArgs {
  heads: number;
  keyDim: number;
  ffUnits: number;
  dropout: number;
  /** Seeded initialisers of the kernels (build only; a loaded model takes its saved weights). */
  kernelInit?: () => Init;
  /** Seed of the dropout masks' stream: a fresh mask per training step and site, the same in every run. */
  dropoutSeed?: number;
  name?: string;
}

const EPS = 1e-6;

function layerNorm(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor): tf.Tensor {
  const { mean, variance } = tf.moments(x, -1, true);
  return tf.add(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, EPS))), gamma), beta);
}

export class TransformerEncoder extends tf.layers.Layer {
  static readonly className = 'NasTransformerEncoder';
  private readonly heads: number;
  private readonly keyDim: number;
  private readonly ffUnits: number;
  private readonly rate: number;
  private readonly kernelInit?: () => Init;
  private readonly dropoutSeed: number;
  private step = 0;
  private w: Record<string, tf.LayerVariable> = {};

  constructor(args: EncoderArgs) {
    super({ name: args.name });
    this.heads = args.heads;
    this.keyDim = args.keyDim;
    this.ffUnits = args.ffUnits;
    this.rate = args.dropout;
    this.kernelInit = args.kernelInit;
    this.dropoutSeed = args.dropoutSeed ?? 0;
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const d = shape[shape.length - 1] as number;
    const hk = this.heads * this.keyDim;
    const kernel = (name: string, s: number[]) =>
      (this.w[name] = this.addWeight(name, s, 'float32', this.kernelInit?.() ?? tf.initializers.glorotUniform({})));
    const vec = (name: string, n: number, one: boolean) =>
      (this.w[name] = this.addWeight(name, [n], 'float32', one ? tf.initializers.ones() : tf.initializers.zeros()));
    kernel('wq', [d, hk]);
    vec('bq', hk, false);
    kernel('wk', [d, hk]);
    vec('bk', hk, false);
    kernel('wv', [d, hk]);
    vec('bv', hk, false);
    kernel('wo', [hk, d]);
    vec('bo', d, false);
    vec('ln1_gamma', d, true);
    vec('ln1_beta', d, false);
    kernel('ff1', [d, this.ffUnits]);
    vec('ff1_bias', this.ffUnits, false);
    kernel('ff2', [this.ffUnits, d]);
    vec('ff2_bias', d, false);
    vec('ln2_gamma', d, true);
    vec('ln2_beta', d, false);
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape | tf.Shape[] {
    return inputShape;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: { training?: boolean }): tf.Tensor {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      const [b, t, d] = x.shape as [number, number, number];
      const { heads: h, keyDim: k } = this;
      const v = (name: string) => this.w[name].read();
      const training = kwargs.training === true && this.rate > 0;
      // tf.dropout without a seed draws from Math.random: each site of each step gets its own seed instead
      const step = training ? this.step++ : 0;
      let site = 0;
      const drop = (y: tf.Tensor) =>
        training ? tf.dropout(y, this.rate, undefined, deriveSeed(this.dropoutSeed, 'step', step, site++)) : y;
      const x2 = tf.reshape(x, [b * t, d]);
      // [b*t, h*k] -> [b, h, t, k]
      const split = (y: tf.Tensor) => tf.transpose(tf.reshape(y, [b, t, h, k]), [0, 2, 1, 3]);
      const q = split(tf.add(tf.matMul(x2, v('wq')), v('bq')));
      const key = split(tf.add(tf.matMul(x2, v('wk')), v('bk')));
      const val = split(tf.add(tf.matMul(x2, v('wv')), v('bv')));
      const scores = tf.mul(tf.matMul(q, key, false, true), 1 / Math.sqrt(k));
      const att = drop(tf.softmax(scores, -1));
      const ctx = tf.reshape(tf.transpose(tf.matMul(att, val), [0, 2, 1, 3]), [b * t, h * k]);
      const mha = tf.add(tf.matMul(ctx, v('wo')), v('bo'));
      const x1 = layerNorm(tf.add(x2, drop(mha)), v('ln1_gamma'), v('ln1_beta'));
      const ff = tf.add(tf.matMul(tf.relu(tf.add(tf.matMul(x1, v('ff1')), v('ff1_bias'))), v('ff2')), v('ff2_bias'));
      const y = layerNorm(tf.add(x1, drop(ff)), v('ln2_gamma'), v('ln2_beta'));
      return tf.reshape(y, [b, t, d]);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      heads: this.heads,
      keyDim: this.keyDim,
      ffUnits: this.ffUnits,
      dropout: this.rate,
    };
  }
}

/** Adds a learned vector per position to a sequence [steps, features] (the steps are fixed by the input). */
export class PositionEmbedding extends tf.layers.Layer {
  static readonly className = 'NasPositionEmbedding';
  private readonly init?: () => Init;
  private table?: tf.LayerVariable;

  constructor(args: { name?: string; init?: () => Init }) {
    super({ name: args.name });
    this.init = args.init;
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const [t, d] = [shape[1] as number, shape[2] as number];
    this.table = this.addWeight(
      'positions',
      [t, d],
      'float32',
      this.init?.() ?? tf.initializers.randomUniform({ minval: -0.05, maxval: 0.05 }),
    );
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape | tf.Shape[] {
    return inputShape;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    return tf.tidy(() => tf.add(x, (this.table as tf.LayerVariable).read()));
  }
}

tf.serialization.registerClass(TransformerEncoder);
tf.serialization.registerClass(PositionEmbedding);
