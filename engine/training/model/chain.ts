// Chain architectures -> tf.LayersModel (functional API). One builder per layer type of LAYER_TYPES.
//
// Head: a still-spatial output goes through global average pooling before dense(classes, softmax).
// GAP keeps the classifier's size independent of the resolution left after pooling, so `params`
// reflects the searched layers rather than how many pools happened to come before an implicit
// flatten (28x28x64 flattened would put 500k weights in the head alone), and any depth of pooling
// works. A `dense` layer in the chain still flattens, so a search can keep spatial detail when it
// pays. `head: 'flatten'` is available for comparison.

import * as tf from '@tensorflow/tfjs';
import { LAYER_TYPES } from '../../space/layers.js';
import { headOf } from './head.js';
import { CategoricalEmbedding, embeddingDims } from './categorical.js';
import { deriveSeed } from '../../core/rng.js';
import type { SeededInit } from './init.js';
import { SeededDropout } from './dropout.js';
import { activationParam, boolParam, intParam, rateParam, unbuildable } from './params.js';
import { SEQUENCE_BUILDERS, type SeqCtx } from './sequence.js';
import type { ChainLayer, ChainModelSpec } from './types.js';

type T = tf.SymbolicTensor;

interface Ctx extends SeqCtx {
  init: SeededInit;
  name: string; // unique prefix of this layer's tf layers
}

/** PyTorch's BN momentum 0.1: tfjs' default 0.99 leaves the moving statistics far off after a short NAS training. */
export const BN_MOMENTUM = 0.9;

function spatial(x: T): boolean {
  return x.shape.length === 4;
}

function notTokens(layer: ChainLayer, ctx: Ctx): void {
  if (ctx.state.tokens) throw unbuildable(`${layer.type} cannot read token ids: an embedding must come first`);
}

function channels(x: T): number {
  return x.shape[x.shape.length - 1] as number;
}

function needSpatial(layer: ChainLayer, x: T): void {
  if (!spatial(x)) {
    throw unbuildable(
      `${layer.type} needs a spatial input [height, width, channels], got [${x.shape.slice(1).join(', ')}]`,
    );
  }
}

/** Adds the block input to `y`, through a 1x1 projection when the channel counts differ. */
function residual(x: T, y: T, ctx: Ctx): T {
  const shortcut =
    channels(x) === channels(y)
      ? x
      : (tf.layers
          .conv2d({
            filters: channels(y),
            kernelSize: 1,
            padding: 'same',
            kernelInitializer: ctx.init.kernel(),
            name: `${ctx.name}_proj`,
          })
          .apply(x) as T);
  return tf.layers.add({ name: `${ctx.name}_add` }).apply([y, shortcut]) as T;
}

function pool(kind: 'max' | 'avg', layer: ChainLayer, x: T, ctx: Ctx): T {
  needSpatial(layer, x);
  const size = intParam(layer, 'size');
  const [h, w] = x.shape.slice(1, 3) as number[];
  if (h < size || w < size) return x; // already smaller than the window: identity instead of an empty map
  const args = { poolSize: size, strides: size, padding: 'valid' as const, name: ctx.name };
  return (kind === 'max' ? tf.layers.maxPooling2d(args) : tf.layers.averagePooling2d(args)).apply(x) as T;
}

const BUILDERS: Record<string, (layer: ChainLayer, x: T, ctx: Ctx) => T> = {
  conv2d(layer, x, ctx) {
    needSpatial(layer, x);
    const y = tf.layers
      .conv2d({
        filters: intParam(layer, 'filters'),
        kernelSize: intParam(layer, 'kernel'),
        padding: 'same',
        activation: activationParam(layer),
        kernelInitializer: ctx.init.kernel(),
        name: ctx.name,
      })
      .apply(x) as T;
    return boolParam(layer, 'residual') ? residual(x, y, ctx) : y;
  },
  separable_conv2d(layer, x, ctx) {
    needSpatial(layer, x);
    const y = tf.layers
      .separableConv2d({
        filters: intParam(layer, 'filters'),
        kernelSize: intParam(layer, 'kernel'),
        padding: 'same',
        activation: activationParam(layer),
        depthwiseInitializer: ctx.init.kernel(),
        pointwiseInitializer: ctx.init.kernel(),
        name: ctx.name,
      })
      .apply(x) as T;
    return boolParam(layer, 'residual') ? residual(x, y, ctx) : y;
  },
  depthwise_conv2d(layer, x, ctx) {
    needSpatial(layer, x);
    return tf.layers
      .depthwiseConv2d({
        kernelSize: intParam(layer, 'kernel'),
        padding: 'same',
        activation: activationParam(layer),
        depthwiseInitializer: ctx.init.kernel(),
        name: ctx.name,
      })
      .apply(x) as T;
  },
  max_pool: (layer, x, ctx) => pool('max', layer, x, ctx),
  avg_pool: (layer, x, ctx) => pool('avg', layer, x, ctx),
  batch_norm: (_layer, x, ctx) => tf.layers.batchNormalization({ momentum: BN_MOMENTUM, name: ctx.name }).apply(x) as T,
  dropout: (layer, x, ctx) =>
    new SeededDropout({ rate: rateParam(layer, 'rate'), name: ctx.name }, ctx.init.dropout()).apply(x) as T,
  ...SEQUENCE_BUILDERS,
  dense(layer, x, ctx) {
    const flat = x.shape.length > 2 ? (tf.layers.flatten({ name: `${ctx.name}_flatten` }).apply(x) as T) : x;
    return tf.layers
      .dense({
        units: intParam(layer, 'units'),
        activation: activationParam(layer),
        kernelInitializer: ctx.init.kernel(),
        name: ctx.name,
      })
      .apply(flat) as T;
  },
};

export function buildChain(spec: ChainModelSpec, init: SeededInit): tf.LayersModel {
  const layers = spec.arch?.layers;
  if (!Array.isArray(layers)) throw unbuildable('chain architecture without a "layers" list');
  const input = tf.input({ shape: spec.inputShape, name: 'input' });
  let x: T = input;
  const tokens = spec.vocab !== undefined;
  if (tokens && spec.inputShape.length !== 1) {
    throw unbuildable(`token ids must have input shape [length], got [${spec.inputShape.join(', ')}]`);
  }
  const state = { positioned: false, tokens };
  if (spec.categorical) {
    x = new CategoricalEmbedding({
      positions: spec.categorical.positions,
      rows: spec.categorical.rows,
      dims: embeddingDims(spec.categorical, spec.arch.hyper),
      seed: deriveSeed(spec.seed ?? 0, 'categorical'),
      name: 'categorical_embedding',
    }).apply(x) as T;
  }
  layers.forEach((layer, i) => {
    const build = BUILDERS[layer?.type];
    if (!build || !LAYER_TYPES[layer.type]) {
      throw unbuildable(
        `layer ${i}: unknown type ${JSON.stringify(layer?.type)}; known: ${Object.keys(BUILDERS).join(', ')}`,
      );
    }
    const ctx: Ctx = { init, name: `l${i}_${layer.type}`, state, ...(tokens ? { vocab: spec.vocab } : {}) };
    if (layer.type !== 'embedding') notTokens(layer, ctx);
    x = build(layer, x, ctx);
  });
  if (state.tokens) throw unbuildable('token ids need an embedding layer before the classifier');
  if (x.shape.length === 3 && spec.head !== 'flatten') {
    // a sequence left at the end (conv1d, attention, return_sequences): average over the steps
    x = tf.layers.globalAveragePooling1d({ name: 'head_gap' }).apply(x) as T;
  } else if (spatial(x)) {
    x = (
      spec.head === 'flatten'
        ? tf.layers.flatten({ name: 'head_flatten' })
        : tf.layers.globalAveragePooling2d({ name: 'head_gap' })
    ).apply(x) as T;
  } else if (x.shape.length > 2) {
    x = tf.layers.flatten({ name: 'head_flatten' }).apply(x) as T;
  }
  const out = tf.layers.dense({ ...headOf(spec), kernelInitializer: init.kernel(), name: 'head_dense' }).apply(x) as T;
  return tf.model({ inputs: input, outputs: out, name: 'chain' });
}
