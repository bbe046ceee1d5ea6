// Builders of the sequence layer types (layers.ts): embedding, conv1d, 1-D pooling, global pooling,
// lstm/gru (optionally bidirectional; recurrent.ts), attention (transformer.ts) and layer_norm. The chain space
// places them only where their flow arrives; these checks catch a hand-edited architecture.

import * as tf from '@tensorflow/tfjs';
import type { Json } from '../../core/types.js';
import type { SeededInit } from './init.js';
import { activationParam, boolParam, intParam, rateParam, unbuildable } from './params.js';
import { DilatedConv1D } from './dilated-conv1d.js';
import { FusedRecurrent } from './recurrent.js';
import { PositionEmbedding, TransformerEncoder } from './transformer.js';
import type { ChainLayer } from './types.js';

type T = tf.SymbolicTensor;

export interface SeqCtx {
  init: SeededInit;
  name: string;
  /** Token ids of the input (embedding's input_dim), when the input is token ids. */
  vocab?: number;
  /** True once an attention block has added the position embedding. */
  state: { positioned: boolean; tokens: boolean };
}

function needSequence(layer: ChainLayer, x: T): void {
  if (x.shape.length !== 3) {
    throw unbuildable(`${layer.type} needs a sequence [steps, features], got [${x.shape.slice(1).join(', ')}]`);
  }
}

function modeParam(layer: ChainLayer): 'max' | 'avg' {
  const v: Json | undefined = layer.mode ?? 'max';
  if (v !== 'max' && v !== 'avg') throw unbuildable(`${layer.type}: mode must be max or avg, got ${JSON.stringify(v)}`);
  return v;
}

function pool1d(kind: 'max' | 'avg', layer: ChainLayer, x: T, ctx: SeqCtx): T {
  needSequence(layer, x);
  const size = intParam(layer, 'size');
  if ((x.shape[1] as number) < size) return x; // fewer steps than the window: identity
  const args = { poolSize: size, strides: size, padding: 'valid' as const, name: ctx.name };
  return (kind === 'max' ? tf.layers.maxPooling1d(args) : tf.layers.averagePooling1d(args)).apply(x) as T;
}

function recurrent(kind: 'lstm' | 'gru', layer: ChainLayer, x: T, ctx: SeqCtx): T {
  needSequence(layer, x);
  const bidirectional = boolParam(layer, 'bidirectional');
  return new FusedRecurrent({
    cell: kind,
    units: intParam(layer, 'units'),
    returnSequences: boolParam(layer, 'return_sequences'),
    bidirectional,
    kernelInitializer: ctx.init.kernel(),
    recurrentInitializer: ctx.init.kernel(),
    ...(bidirectional
      ? { backwardKernelInitializer: ctx.init.kernel(), backwardRecurrentInitializer: ctx.init.kernel() }
      : {}),
    name: ctx.name,
  }).apply(x) as T;
}

export const SEQUENCE_BUILDERS: Record<string, (layer: ChainLayer, x: T, ctx: SeqCtx) => T> = {
  embedding(layer, x, ctx) {
    if (!ctx.state.tokens || x.shape.length !== 2 || ctx.vocab === undefined) {
      throw unbuildable(`embedding reads token ids [length] (a text dataset), got [${x.shape.slice(1).join(', ')}]`);
    }
    ctx.state.tokens = false;
    return tf.layers
      .embedding({
        inputDim: ctx.vocab,
        outputDim: intParam(layer, 'dim'),
        embeddingsInitializer: ctx.init.uniform(0.05),
        name: ctx.name,
      })
      .apply(x) as T;
  },
  conv1d(layer, x, ctx) {
    needSequence(layer, x);
    const dilation = intParam(layer, 'dilation');
    if (dilation > 1) {
      return new DilatedConv1D({
        filters: intParam(layer, 'filters'),
        kernel: intParam(layer, 'kernel'),
        dilation,
        activation: activationParam(layer),
        kernelInit: () => ctx.init.kernel(),
        name: ctx.name,
      }).apply(x) as T;
    }
    return tf.layers
      .conv1d({
        filters: intParam(layer, 'filters'),
        kernelSize: intParam(layer, 'kernel'),
        padding: 'same',
        activation: activationParam(layer),
        kernelInitializer: ctx.init.kernel(),
        name: ctx.name,
      })
      .apply(x) as T;
  },
  max_pool1d: (layer, x, ctx) => pool1d('max', layer, x, ctx),
  avg_pool1d: (layer, x, ctx) => pool1d('avg', layer, x, ctx),
  global_pool(layer, x, ctx) {
    const max = modeParam(layer) === 'max';
    if (x.shape.length === 3) {
      return (
        max ? tf.layers.globalMaxPooling1d({ name: ctx.name }) : tf.layers.globalAveragePooling1d({ name: ctx.name })
      ).apply(x) as T;
    }
    if (x.shape.length === 4) {
      return (
        max ? tf.layers.globalMaxPooling2d({ name: ctx.name }) : tf.layers.globalAveragePooling2d({ name: ctx.name })
      ).apply(x) as T;
    }
    throw unbuildable(`global_pool needs a sequence or an image, got [${x.shape.slice(1).join(', ')}]`);
  },
  lstm: (layer, x, ctx) => recurrent('lstm', layer, x, ctx),
  gru: (layer, x, ctx) => recurrent('gru', layer, x, ctx),
  attention(layer, x, ctx) {
    needSequence(layer, x);
    let y = x;
    if (!ctx.state.positioned) {
      y = new PositionEmbedding({ name: `${ctx.name}_position`, init: () => ctx.init.uniform(0.05) }).apply(y) as T;
      ctx.state.positioned = true;
    }
    return new TransformerEncoder({
      heads: intParam(layer, 'heads'),
      keyDim: intParam(layer, 'key_dim'),
      ffUnits: intParam(layer, 'ff_units'),
      dropout: rateParam(layer, 'dropout'),
      kernelInit: () => ctx.init.kernel(),
      dropoutSeed: ctx.init.dropout(),
      name: ctx.name,
    }).apply(y) as T;
  },
  layer_norm: (_layer, x, ctx) => tf.layers.layerNormalization({ axis: -1, name: ctx.name }).apply(x) as T,
};
