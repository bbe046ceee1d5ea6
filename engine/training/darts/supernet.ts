// The supernet of a cell space: NB201's macro skeleton (stem, stages of cells with a residual
// reduction block between them, BN-ReLU-GAP-dense head), where every edge of every cell is a mixed
// operation over all the space's ops, weighted by softmax(alpha[edge]). Cells share the alphas (one
// cell architecture is searched) and own their weights.

import * as tf from '@tensorflow/tfjs';
import type { Json } from '../../core/types.js';
import { cellEdges } from '../../space/cell.js';
import { unbuildable } from '../model/params.js';
import { Params, avgPoolSame, bnNoAffine, mixedOp, reluConvBn, type CandidateOp } from './ops.js';

export interface Supernet {
  readonly params: Params;
  /** rows x cols architecture parameters. */
  readonly alpha: tf.Variable;
  /** Row labels (edge names) and, per row, its candidates (column labels). */
  readonly rows: string[];
  readonly columns: string[][];
  /** Logits of a batch under the current alphas, or under given op weights (rows x cols). */
  forward(x: tf.Tensor, weights?: tf.Tensor2D): tf.Tensor2D;
  /**
   * Logits of one single path: column path[r] of every row r, and nothing else, is computed, so a
   * gradient reaches only that path's weights (ENAS, SPOS).
   */
  forwardPath(x: tf.Tensor, path: readonly number[]): tf.Tensor2D;
  /** The architecture of the space that a single path is. */
  archOfPath(path: readonly number[]): Json;
  /** softmax(alpha) per row (masked where a row has fewer candidates than columns). */
  weights(): tf.Tensor2D;
  dispose(): void;
}

export interface CellSupernetSpec {
  nodes: number;
  ops: readonly string[];
  inputShape: number[];
  classes: number;
  skeleton: { channels: number; cells: number; stages: number };
  seed: number;
}

/** What an edge computes from its source: the mixed op (DARTS) or one candidate (single path). */
type EdgeFn = (src: tf.Tensor, edge: number, ops: CandidateOp[]) => tf.Tensor | null;

type OpFactory = (c: number, label: string) => CandidateOp;

/** A candidate op of a cell edge, with its weights created now for `c` channels. */
function cellOp(op: string, params: Params): OpFactory {
  if (op === 'none') return () => () => null;
  if (op === 'skip_connect') return () => (x) => x;
  let m = /^nor_conv_(\d+)x\1$/.exec(op);
  if (m) {
    const k = Number(m[1]);
    return (c, label) => {
      const w = params.conv(label, k, c, c);
      return (x) => reluConvBn(x as tf.Tensor4D, w);
    };
  }
  m = /^(avg|max)_pool_(\d+)x\2$/.exec(op);
  if (m) {
    const k = Number(m[2]);
    const avg = m[1] === 'avg';
    return () => (x) => (avg ? avgPoolSame(x as tf.Tensor4D, k, 1) : tf.maxPool(x as tf.Tensor4D, k, 1, 'same'));
  }
  throw unbuildable(
    `darts: unknown cell op ${JSON.stringify(op)}; known: none, skip_connect, nor_conv_KxK, avg_pool_KxK, max_pool_KxK`,
  );
}

export class CellSupernet implements Supernet {
  readonly params: Params;
  readonly alpha: tf.Variable;
  readonly rows: string[];
  readonly columns: string[][];
  private readonly stem: tf.Variable;
  /** Per stage: the reduction block (stage > 0) and, per cell, per edge, the candidate ops. */
  private readonly stages: {
    reduction?: { a: tf.Variable; b: tf.Variable; proj: tf.Variable };
    cells: CandidateOp[][][];
  }[] = [];
  private readonly head: { kernel: tf.Variable; bias: tf.Variable };
  private readonly edges: { to: number; from: number }[];

  constructor(private readonly spec: CellSupernetSpec) {
    const { nodes, ops, inputShape, skeleton } = spec;
    if (inputShape.length !== 3)
      throw unbuildable(`darts: a cell supernet needs an image input, got [${inputShape.join(', ')}]`);
    this.params = new Params(spec.seed);
    this.edges = cellEdges(nodes);
    this.rows = this.edges.map((e) => `${e.to}<-${e.from}`);
    this.columns = this.edges.map(() => [...ops]);
    const factories = ops.map((op) => cellOp(op, this.params));
    let c = skeleton.channels;
    this.stem = this.params.conv('stem', 3, inputShape[2], c);
    for (let s = 0; s < skeleton.stages; s++) {
      const stage: (typeof this.stages)[number] = { cells: [] };
      if (s > 0) {
        const cin = c;
        c *= 2;
        stage.reduction = {
          a: this.params.conv(`r${s}/a`, 3, cin, c),
          b: this.params.conv(`r${s}/b`, 3, c, c),
          proj: this.params.conv(`r${s}/proj`, 1, cin, c),
        };
      }
      for (let k = 0; k < skeleton.cells; k++) {
        stage.cells.push(
          this.edges.map((e) => factories.map((f, o) => f(c, `s${s}c${k}/e${e.to}${e.from}/${ops[o]}`))),
        );
      }
      this.stages.push(stage);
    }
    this.head = this.params.dense('head', c, spec.classes);
    this.alpha = this.params.alphas(this.edges.length, ops.length);
  }

  weights(): tf.Tensor2D {
    return tf.softmax(this.alpha as tf.Tensor2D, 1);
  }

  forward(x: tf.Tensor, weights?: tf.Tensor2D): tf.Tensor2D {
    const w = tf.unstack(weights ?? this.weights()) as tf.Tensor1D[];
    return this.run(x, (src, k, ops) => mixedOp(src, w[k], ops));
  }

  forwardPath(x: tf.Tensor, path: readonly number[]): tf.Tensor2D {
    return this.run(x, (src, k, ops) => ops[path[k]](src));
  }

  archOfPath(path: readonly number[]): Json {
    return { ops: path.map((k) => this.spec.ops[k]) };
  }

  private run(x: tf.Tensor, edge: EdgeFn): tf.Tensor2D {
    let h = bnNoAffine(tf.conv2d(x as tf.Tensor4D, this.stem as tf.Tensor4D, 1, 'same')) as tf.Tensor4D;
    for (const stage of this.stages) {
      if (stage.reduction) {
        const r = stage.reduction;
        const a = reluConvBn(h, r.a, 2);
        const b = reluConvBn(a, r.b, 1);
        const p = avgPoolSame(h, 2, 2);
        h = tf.add(b, tf.conv2d(p, r.proj as tf.Tensor4D, 1, 'same'));
      }
      for (const cell of stage.cells) h = this.cell(h, cell, edge);
    }
    const g = tf.mean(tf.relu(bnNoAffine(h)), [1, 2]) as tf.Tensor2D;
    return tf.add(tf.matMul(g, this.head.kernel as tf.Tensor2D), this.head.bias) as tf.Tensor2D;
  }

  private cell(x: tf.Tensor4D, cell: CandidateOp[][], edge: EdgeFn): tf.Tensor4D {
    const nodes: (tf.Tensor | null)[] = [x];
    for (let j = 1; j < this.spec.nodes; j++) {
      let sum: tf.Tensor | null = null;
      this.edges.forEach((e, k) => {
        if (e.to !== j) return;
        const src = nodes[e.from];
        if (src === null) return; // a zero node contributes nothing through any op
        const y = edge(src, k, cell[k]);
        if (y !== null) sum = sum === null ? y : tf.add(sum, y);
      });
      nodes.push(sum);
    }
    return (nodes[this.spec.nodes - 1] ?? tf.zerosLike(x)) as tf.Tensor4D;
  }

  dispose(): void {
    this.params.dispose();
    this.alpha.dispose();
  }
}
