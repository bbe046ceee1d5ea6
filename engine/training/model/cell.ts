// NAS-Bench-201 cells -> tf.LayersModel, on NB201's macro skeleton scaled by `skeleton`:
//   stem conv3x3(C) + BN
//   stages x (cells x cell), with a residual reduction block (stride 2, channels doubled) between stages
//   BN + ReLU, global average pooling, dense(classes, softmax)
// Inside a cell, node 0 is the cell input and node j = sum over i < j of op_{j<-i}(node i); the cell's
// output is its last node. Ops follow NB201: nor_conv_KxK = ReLU-Conv-BN, avg_pool_3x3 (stride 1,
// same padding), skip_connect (identity), none (no edge).
//
// Zero nodes: a node whose inputs are all `none` is zero. Ops applied to a zero node are dropped as
// well (they would only add a constant learnt through BN's offset, carrying nothing from the input),
// and nodes that do not feed the output are not built, so the graph is the pruned, equivalent cell. When the output node itself is zero, the cell
// outputs zeros through ZeroLayer, and the network still builds and trains (its head learns the prior).

import * as tf from '@tensorflow/tfjs';
import { BN_MOMENTUM } from './chain.js';
import { headOf } from './head.js';
import type { SeededInit } from './init.js';
import { unbuildable } from './params.js';
import type { CellModelSpec } from './types.js';
import { zeroLike } from './zero.js';
import { CELL_OP_PATTERN } from '../../space/cell.js';

type T = tf.SymbolicTensor;

/** Index of edge j <- i in the ops list (edges grouped by target node, sources ascending). */
export function edgeIndex(j: number, i: number): number {
  return (j * (j - 1)) / 2 + i;
}

function channels(x: T): number {
  return x.shape[3] as number;
}

function bn(x: T, name: string): T {
  return tf.layers.batchNormalization({ momentum: BN_MOMENTUM, name }).apply(x) as T;
}

function conv(x: T, filters: number, kernel: number, strides: number, init: SeededInit, name: string): T {
  return tf.layers
    .conv2d({
      filters,
      kernelSize: kernel,
      strides,
      padding: 'same',
      useBias: false,
      kernelInitializer: init.kernel(),
      name,
    })
    .apply(x) as T;
}

function reluConvBn(x: T, filters: number, kernel: number, strides: number, init: SeededInit, name: string): T {
  const r = tf.layers.activation({ activation: 'relu', name: `${name}_relu` }).apply(x) as T;
  return bn(conv(r, filters, kernel, strides, init, `${name}_conv`), `${name}_bn`);
}

/** The op on one edge, or null for `none`. */
function applyOp(op: string, x: T, init: SeededInit, name: string): T | null {
  if (op === 'none') return null;
  if (op === 'skip_connect') return x;
  let m = /^nor_conv_(\d+)x\1$/.exec(op);
  if (m) return reluConvBn(x, channels(x), Number(m[1]), 1, init, name);
  m = /^(avg|max)_pool_(\d+)x\2$/.exec(op);
  if (m) {
    const args = { poolSize: Number(m[2]), strides: 1, padding: 'same' as const, name };
    return (m[1] === 'avg' ? tf.layers.averagePooling2d(args) : tf.layers.maxPooling2d(args)).apply(x) as T;
  }
  throw unbuildable(
    `unknown cell op ${JSON.stringify(op)}; known: none, skip_connect, nor_conv_KxK, avg_pool_KxK, max_pool_KxK`,
  );
}

/**
 * Which nodes carry the input to the output: not zero (some non-none edge from a non-zero node) and
 * feeding the last node. Only those are built — layers off that path would hold weights the model
 * does not own, which model.dispose() would then leak.
 */
export function liveNodes(ops: readonly string[], nodes: number): boolean[] {
  const zero = [false];
  for (let j = 1; j < nodes; j++) {
    let z = true;
    for (let i = 0; i < j; i++) if (!zero[i] && ops[edgeIndex(j, i)] !== 'none') z = false;
    zero.push(z);
  }
  const live = zero.map(() => false);
  live[nodes - 1] = !zero[nodes - 1];
  for (let i = nodes - 2; i >= 0; i--) {
    for (let j = i + 1; j < nodes; j++) if (live[j] && !zero[i] && ops[edgeIndex(j, i)] !== 'none') live[i] = true;
  }
  return live;
}

function cell(x: T, ops: string[], nodes: number, init: SeededInit, name: string): T {
  const live = liveNodes(ops, nodes);
  if (!live[nodes - 1]) return zeroLike(x, `${name}_zero`);
  const values: T[] = [x];
  for (let j = 1; j < nodes; j++) {
    if (!live[j]) continue;
    const terms: T[] = [];
    for (let i = 0; i < j; i++) {
      if (!live[i]) continue;
      const y = applyOp(ops[edgeIndex(j, i)], values[i], init, `${name}_e${j}${i}`);
      if (y) terms.push(y);
    }
    values[j] = terms.length === 1 ? terms[0] : (tf.layers.add({ name: `${name}_n${j}` }).apply(terms) as T);
  }
  return values[nodes - 1];
}

/** NB201's ResNet basic block with stride 2: ReLU-Conv3x3/2-BN, ReLU-Conv3x3-BN, plus avgpool2 + conv1x1 shortcut. */
function reduction(x: T, filters: number, init: SeededInit, name: string): T {
  const a = reluConvBn(x, filters, 3, 2, init, `${name}_a`);
  const b = reluConvBn(a, filters, 3, 1, init, `${name}_b`);
  // same padding: a 1x1 (or odd) map still halves by ceil instead of vanishing
  const p = tf.layers
    .averagePooling2d({ poolSize: 2, strides: 2, padding: 'same', name: `${name}_pool` })
    .apply(x) as T;
  const s = conv(p, filters, 1, 1, init, `${name}_proj`);
  return tf.layers.add({ name: `${name}_add` }).apply([b, s]) as T;
}

export function buildCell(spec: CellModelSpec, init: SeededInit): tf.LayersModel {
  const { nodes, skeleton } = spec;
  const ops = spec.arch?.ops;
  const edges = (nodes * (nodes - 1)) / 2;
  if (!Number.isInteger(nodes) || nodes < 2) throw unbuildable(`a cell needs nodes >= 2, got ${nodes}`);
  if (!Array.isArray(ops) || ops.length !== edges || ops.some((o) => typeof o !== 'string')) {
    throw unbuildable(`a cell with ${nodes} nodes needs ${edges} ops (one per edge), got ${JSON.stringify(ops)}`);
  }
  const unknown = ops.find((o) => !CELL_OP_PATTERN.test(o));
  if (unknown !== undefined) {
    throw unbuildable(
      `unknown cell op ${JSON.stringify(unknown)}; known: none, skip_connect, nor_conv_KxK, avg_pool_KxK, max_pool_KxK`,
    );
  }
  if (spec.inputShape.length !== 3) {
    throw unbuildable(
      `a cell network needs an image input [height, width, channels], got [${spec.inputShape.join(', ')}]`,
    );
  }
  for (const k of ['channels', 'cells', 'stages'] as const) {
    if (!Number.isInteger(skeleton?.[k]) || skeleton[k] < 1) throw unbuildable(`skeleton.${k} must be an integer >= 1`);
  }
  const input = tf.input({ shape: spec.inputShape, name: 'input' });
  let c = skeleton.channels;
  let x = bn(conv(input, c, 3, 1, init, 'stem_conv'), 'stem_bn');
  for (let s = 0; s < skeleton.stages; s++) {
    if (s > 0) x = reduction(x, (c *= 2), init, `r${s}`);
    for (let k = 0; k < skeleton.cells; k++) x = cell(x, ops, nodes, init, `s${s}c${k}`);
  }
  x = bn(x, 'last_bn');
  x = tf.layers.activation({ activation: 'relu', name: 'last_relu' }).apply(x) as T;
  x = tf.layers.globalAveragePooling2d({ name: 'head_gap' }).apply(x) as T;
  const out = tf.layers.dense({ ...headOf(spec), kernelInitializer: init.kernel(), name: 'head_dense' }).apply(x) as T;
  return tf.model({ inputs: input, outputs: out, name: 'cell' });
}
