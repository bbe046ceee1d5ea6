// The supernet of a chain space: `layers.max` slots, each a mixed operation over every layer the space
// offers there (a layer type with one combination of its parameter choices), plus `identity` (no
// layer) on the slots past `layers.min`. Every candidate must keep the feature-map shape so the
// weighted sum is defined: on image inputs the convolutions (same padding; outputs zero-padded to
// the widest filter count, as FBNetV2's channel masking), batch_norm and dropout; on flat inputs
// dense (units zero-padded to the widest), batch_norm and dropout. Pooling and (on images) dense
// change the shape and are not searched by the supernet; the derived chain leaves them out.
// Dropout is the identity inside the supernet (it does not change the function in expectation).
// The searched hyperparameters are not differentiable: the derived arch takes each one's first choice.

import * as tf from '@tensorflow/tfjs';
import { LAYER_TYPES } from '../../space/layers.js';
import type { Json } from '../../core/types.js';
import type { ChainSpaceConfig } from '../../core/workflow.js';
import { unbuildable } from '../model/params.js';
import { applyActivation } from '../model/activation.js';
import { Params, bnNoAffine, mixedOp, type CandidateOp } from './ops.js';
import type { Supernet } from './supernet.js';

type Layer = { type: string; [param: string]: Json };

export const IDENTITY = 'identity';

function product(params: [string, Json[]][]): Record<string, Json>[] {
  let out: Record<string, Json>[] = [{}];
  for (const [p, values] of params) out = out.flatMap((o) => values.map((v) => ({ ...o, [p]: v })));
  return out;
}

/** Candidate layers of a slot (shape-preserving types only), in a fixed order. */
export function chainCandidates(config: Pick<ChainSpaceConfig, 'input' | 'layers' | 'tokens'>): Layer[] {
  // Sequence inputs ([steps, features], token ids) would need their own mixed ops (an embedding
  // first, conv1d/attention padded to one width); not built yet, so say so instead of mixing dense.
  if (config.input.length === 2 || config.tokens === true) {
    throw unbuildable(
      `darts: chain supernets cover image and flat inputs; this space's input [${config.input.join(', ')}] is a sequence: use another strategy`,
    );
  }
  const spatial = config.input.length === 3;
  const allowed = spatial
    ? ['conv2d', 'separable_conv2d', 'depthwise_conv2d', 'batch_norm', 'dropout']
    : ['dense', 'batch_norm', 'dropout'];
  const out: Layer[] = [];
  for (const [type, choices] of Object.entries(config.layers.choose ?? {})) {
    if (!allowed.includes(type)) continue;
    const known = LAYER_TYPES[type];
    const params = Object.keys(known.params).map((p) => [p, (choices ?? {})[p] ?? known.params[p]] as [string, Json[]]);
    for (const combo of product(params)) out.push({ type, ...combo });
  }
  return out;
}

export function layerLabel(l: Layer): string {
  const ps = Object.keys(l)
    .filter((k) => k !== 'type')
    .sort()
    .map((k) => `${k}=${String(l[k])}`);
  return ps.length ? `${l.type}(${ps.join(',')})` : l.type;
}

function activate(x: tf.Tensor, a: Json): tf.Tensor {
  const y = applyActivation(x, String(a ?? 'relu'));
  if (!y) throw unbuildable(`darts: unknown activation ${JSON.stringify(a)}`);
  return y;
}

/** Zero-pads the last axis to `c`. */
function padTo(x: tf.Tensor, c: number): tf.Tensor {
  const have = x.shape[x.rank - 1] as number;
  if (have === c) return x;
  const pads = x.shape.map(() => [0, 0] as [number, number]);
  pads[x.rank - 1] = [0, c - have];
  return tf.pad(x, pads);
}

export interface ChainSupernetSpec {
  config: Pick<ChainSpaceConfig, 'input' | 'layers' | 'hyper'>;
  classes: number;
  seed: number;
}

export class ChainSupernet implements Supernet {
  readonly params: Params;
  readonly alpha: tf.Variable;
  readonly rows: string[];
  readonly columns: string[][];
  readonly candidates: Layer[];
  private readonly slots: CandidateOp[][] = [];
  private readonly mask: tf.Tensor2D;
  private readonly head: { kernel: tf.Variable; bias: tf.Variable };
  private readonly width: number;

  constructor(private readonly spec: ChainSupernetSpec) {
    const { input, layers } = spec.config;
    this.params = new Params(spec.seed);
    this.candidates = chainCandidates(spec.config);
    if (!(layers.max > 0)) throw unbuildable('darts: a chain space with layers.max = 0 has nothing to search');
    if (this.candidates.length === 0) {
      throw unbuildable(
        `darts: this chain space offers no shape-preserving layer to search (${input.length === 3 ? 'conv2d, separable_conv2d, depthwise_conv2d, batch_norm, dropout' : 'dense, batch_norm, dropout'})`,
      );
    }
    const spatial = input.length === 3;
    const c0 = input[input.length - 1];
    const widths = this.candidates.map((l) =>
      typeof l.filters === 'number' ? l.filters : typeof l.units === 'number' ? l.units : 0,
    );
    this.width = Math.max(c0, ...widths);
    const labels = this.candidates.map(layerLabel);
    this.rows = [];
    this.columns = [];
    for (let i = 0; i < layers.max; i++) {
      const cin = i === 0 ? c0 : this.width;
      const ops = this.candidates.map((l, k) => this.op(l, cin, `slot${i}/${k}`, spatial));
      const optional = i >= layers.min;
      if (optional) ops.push((x) => padTo(x, this.width));
      this.slots.push(ops);
      this.rows.push(`layer.${i}`);
      this.columns.push(optional ? [...labels, IDENTITY] : [...labels]);
    }
    const cols = this.candidates.length + 1;
    this.mask = tf.tensor2d(
      this.columns.map((row) => Array.from({ length: cols }, (_, k) => (k < row.length ? 0 : -1e9))),
    );
    this.head = this.params.dense('head', this.width, spec.classes);
    this.alpha = this.params.alphas(layers.max, cols);
  }

  private op(l: Layer, cin: number, label: string, spatial: boolean): CandidateOp {
    const w = this.width;
    const bias = (n: number) => this.params.bias(`${label}/b`, n);
    switch (l.type) {
      case 'conv2d': {
        const f = l.filters as number;
        const k = l.kernel as number;
        const kernel = this.params.conv(`${label}/k`, k, cin, f);
        const b = bias(f);
        const proj = l.residual === true && cin !== f ? this.params.conv(`${label}/proj`, 1, cin, f) : null;
        return (x) => {
          let y = activate(tf.add(tf.conv2d(x as tf.Tensor4D, kernel as tf.Tensor4D, 1, 'same'), b), l.activation);
          if (l.residual === true)
            y = tf.add(y, proj ? tf.conv2d(x as tf.Tensor4D, proj as tf.Tensor4D, 1, 'same') : x);
          return padTo(y, w);
        };
      }
      case 'separable_conv2d': {
        const f = l.filters as number;
        const k = l.kernel as number;
        const depth = this.params.conv(`${label}/dw`, k, cin, 1);
        const point = this.params.conv(`${label}/pw`, 1, cin, f);
        const b = bias(f);
        const proj = l.residual === true && cin !== f ? this.params.conv(`${label}/proj`, 1, cin, f) : null;
        return (x) => {
          let y = activate(
            tf.add(tf.separableConv2d(x as tf.Tensor4D, depth as tf.Tensor4D, point as tf.Tensor4D, 1, 'same'), b),
            l.activation,
          );
          if (l.residual === true)
            y = tf.add(y, proj ? tf.conv2d(x as tf.Tensor4D, proj as tf.Tensor4D, 1, 'same') : x);
          return padTo(y, w);
        };
      }
      case 'depthwise_conv2d': {
        const k = l.kernel as number;
        const depth = this.params.conv(`${label}/dw`, k, cin, 1);
        const b = bias(cin);
        return (x) =>
          padTo(
            activate(tf.add(tf.depthwiseConv2d(x as tf.Tensor4D, depth as tf.Tensor4D, 1, 'same'), b), l.activation),
            w,
          );
      }
      case 'dense': {
        const u = l.units as number;
        const d = this.params.dense(`${label}/dense`, cin, u);
        return (x) =>
          padTo(activate(tf.add(tf.matMul(x as tf.Tensor2D, d.kernel as tf.Tensor2D), d.bias), l.activation), w);
      }
      case 'batch_norm':
        return (x) => padTo(bnNoAffine(x), w);
      case 'dropout':
        return (x) => padTo(x, w);
      default:
        throw unbuildable(`darts: layer type ${l.type} cannot be searched by a chain supernet (spatial: ${spatial})`);
    }
  }

  weights(): tf.Tensor2D {
    return tf.softmax(tf.add(this.alpha, this.mask), 1) as tf.Tensor2D;
  }

  forward(x: tf.Tensor, weights?: tf.Tensor2D): tf.Tensor2D {
    let h = x;
    const w = tf.unstack(weights ?? this.weights()) as tf.Tensor1D[];
    this.slots.forEach((ops, i) => {
      h = mixedOp(h, w[i], ops) as tf.Tensor;
    });
    const g = (h.rank === 4 ? tf.mean(h, [1, 2]) : h) as tf.Tensor2D;
    return tf.add(tf.matMul(g, this.head.kernel as tf.Tensor2D), this.head.bias) as tf.Tensor2D;
  }

  forwardPath(x: tf.Tensor, path: readonly number[]): tf.Tensor2D {
    let h = x;
    this.slots.forEach((ops, i) => {
      h = ops[path[i]](h) as tf.Tensor;
    });
    const g = (h.rank === 4 ? tf.mean(h, [1, 2]) : h) as tf.Tensor2D;
    return tf.add(tf.matMul(g, this.head.kernel as tf.Tensor2D), this.head.bias) as tf.Tensor2D;
  }

  archOfPath(path: readonly number[]): Json {
    return this.archOf([...path]);
  }

  /** The chain of the chosen candidate per slot (identity: no layer), with each hyperparameter's first choice. */
  archOf(choice: number[]): Json {
    const layers = choice.filter((k) => k < this.candidates.length).map((k) => ({ ...this.candidates[k] }));
    const hyper: Record<string, Json> = {};
    for (const [name, values] of Object.entries(this.spec.config.hyper ?? {}).sort(([a], [b]) => a.localeCompare(b)))
      hyper[name] = values[0];
    return { layers, hyper } as Json;
  }

  dispose(): void {
    this.params.dispose();
    this.alpha.dispose();
    this.mask.dispose();
  }
}

/** Derived chains from op strengths per slot (ragged rows: the slot's candidates), strongest first, distinct. */
export function deriveChains(net: ChainSupernet, strengths: number[][], candidates = 1): Json[] {
  const ranked = strengths.map((row) => row.map((v, k) => [v, k] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]));
  const base = ranked.map((r) => r[0][1]);
  const out = [net.archOf(base)];
  const seen = new Set([JSON.stringify(out[0])]);
  const uncertain = ranked
    .map((r, i) => [r.length > 1 ? r[0][0] - r[1][0] : Infinity, i] as const)
    .filter(([m]) => Number.isFinite(m))
    .sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  for (const [, i] of uncertain) {
    if (out.length >= candidates) break;
    const alt = [...base];
    alt[i] = ranked[i][1][1];
    const a = net.archOf(alt);
    const key = JSON.stringify(a);
    if (!seen.has(key)) {
      seen.add(key);
      out.push(a);
    }
  }
  return out;
}

const PARAMETRIC_LAYER = /^(conv2d|separable_conv2d|depthwise_conv2d|dense)$/;

/** A derived chain counts as collapsed when no parametric layer is left (all identity / batch_norm / dropout). */
export function chainCollapseReason(arch: Json): string | null {
  const layers = (arch as { layers: Layer[] }).layers;
  return layers.some((l) => PARAMETRIC_LAYER.test(l.type)) ? null : 'no parametric layer left';
}
