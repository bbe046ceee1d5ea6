// Chain space: a sequence of layers (depth, then per layer a type and its parameters) followed by
// searchable hyperparameters. The tree only offers what can be built: a type only where the flow it
// reads arrives (layers.ts: image layers never after a dense layer or on a flat input, sequence
// layers only on a sequence, an embedding only on token ids, and nothing but an embedding on them),
// pooling only while the map or the steps are at least the pool size, and only depths/types that
// still leave a complete network (the head cannot read token ids). That keeps every sampled,
// mutated or crossed-over architecture buildable.

import type { Json } from '../core/types.js';
import type { ChainSpaceConfig } from '../core/workflow.js';
import type { Decision } from '../core/space.js';
import { LAYER_TYPES, POOL_TYPES, flowAfter, inputFlow } from './layers.js';
import { TreeSpace } from './base.js';
import { valueKey } from './tree.js';

export type ChainLayer = { type: string; [param: string]: Json };
export type ChainArch = { layers: ChainLayer[]; hyper: Record<string, Json> };

/** What flows between layers, as far as validity is concerned: a flat vector, an h x w map, or `len` steps. */
type Shape = { flow: 'flat' } | { flow: 'image'; h: number; w: number } | { flow: 'sequence' | 'tokens'; len: number };

interface TypeInfo {
  name: string;
  /** Pooling types shrink the map or the steps by floor division by their `size`. */
  pool: boolean;
  /** The parameter that decides the shape after the layer (a pool's size, a recurrent layer's return_sequences). */
  shapeParam?: string;
  params: [string, Json[]][];
  /** Product of the choice counts of every parameter except the shape parameter. */
  freeProduct: number;
}

function dedupe(values: Json[]): Json[] {
  const seen = new Set<string>();
  return values.filter((v) => {
    const k = valueKey(v);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

function shapeKey(s: Shape): string {
  return s.flow === 'flat' ? 'flat' : s.flow === 'image' ? `${s.h}x${s.w}` : `${s.flow}${s.len}`;
}

function fmt(v: Json): string {
  return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? String(v) : JSON.stringify(v);
}

/** Canonical, readable key: conv2d(activation=relu,filters=32,kernel=3)>max_pool(size=2)|learning_rate=0.001 */
export function chainKey(arch: ChainArch): string {
  const layers = arch.layers.map((l) => {
    const ps = Object.keys(l)
      .filter((k) => k !== 'type')
      .sort()
      .map((k) => `${k}=${fmt(l[k])}`);
    return ps.length ? `${l.type}(${ps.join(',')})` : l.type;
  });
  const hyper = Object.keys(arch.hyper ?? {})
    .sort()
    .map((k) => `${k}=${fmt(arch.hyper[k])}`);
  const body = layers.length ? layers.join('>') : '(empty)';
  return hyper.length ? `${body}|${hyper.join(',')}` : body;
}

export class ChainSpace extends TreeSpace<ChainArch> {
  readonly kind = 'chain';
  private readonly min: number;
  private readonly max: number;
  private readonly types: TypeInfo[];
  private readonly hyper: [string, Json[]][];
  private readonly input: Shape;
  private readonly memo = new Map<string, number>();
  private readonly decs: Decision[];

  constructor(
    config: Pick<ChainSpaceConfig, 'input' | 'layers'> & {
      hyper?: ChainSpaceConfig['hyper'];
      tokens?: ChainSpaceConfig['tokens'];
    },
  ) {
    super();
    const { input, layers } = config;
    if (!Array.isArray(input) || input.length === 0 || !input.every((n) => Number.isInteger(n) && n > 0)) {
      throw new Error(`chain space: input must be a non-empty list of positive integers, got ${JSON.stringify(input)}`);
    }
    if (config.tokens && input.length !== 1) {
      throw new Error(`chain space: token input must be [length], got ${JSON.stringify(input)}`);
    }
    const flow = inputFlow(input, config.tokens === true);
    this.input =
      flow === 'flat' ? { flow } : flow === 'image' ? { flow, h: input[0], w: input[1] } : { flow, len: input[0] };
    this.min = layers.min;
    this.max = layers.max;
    if (!(Number.isInteger(this.min) && Number.isInteger(this.max) && this.min >= 0 && this.min <= this.max)) {
      throw new Error(
        `chain space: layers.min/max must be integers with 0 <= min <= max, got ${this.min}..${this.max}`,
      );
    }
    this.types = Object.entries(layers.choose ?? {}).map(([name, choices]) => this.typeInfo(name, choices ?? {}));
    if (this.types.length === 0) throw new Error('chain space: layers.choose must name at least one layer type');
    this.hyper = Object.keys(config.hyper ?? {})
      .sort()
      .map((name) => {
        const values = dedupe((config.hyper ?? {})[name] ?? []);
        if (values.length === 0) throw new Error(`chain space: hyper.${name} has no choices`);
        return [name, values];
      });
    if (this.depths().length === 0) {
      throw new Error(
        `chain space: no network of ${this.min}..${this.max} layers can be built from ${this.types.map((t) => t.name).join(', ')} on ${flow} input ${JSON.stringify(input)} (spatial layers need a spatial input, sequence layers a sequence, token ids an embedding)`,
      );
    }
    this.decs = this.buildDecisions();
  }

  private typeInfo(name: string, choices: Record<string, Json[]>): TypeInfo {
    const known = LAYER_TYPES[name];
    if (!known)
      throw new Error(`chain space: unknown layer type "${name}" (known: ${Object.keys(LAYER_TYPES).join(', ')})`);
    for (const p of Object.keys(choices)) {
      if (!(p in known.params))
        throw new Error(
          `chain space: layer type ${name} has no parameter "${p}" (has: ${Object.keys(known.params).join(', ') || 'none'})`,
        );
    }
    const params: [string, Json[]][] = Object.keys(known.params).map((p) => {
      const values = dedupe(choices[p] ?? known.params[p]);
      if (values.length === 0) throw new Error(`chain space: ${name}.${p} has no choices`);
      return [p, values];
    });
    const pool = POOL_TYPES.has(name);
    if (pool) {
      const sizes = params.find(([p]) => p === 'size')?.[1] ?? [];
      if (!sizes.every((s) => typeof s === 'number' && Number.isInteger(s) && s > 0)) {
        throw new Error(`chain space: ${name}.size choices must be positive integers`);
      }
    }
    const shapeParam = pool ? 'size' : 'return_sequences' in known.params ? 'return_sequences' : undefined;
    let freeProduct = 1;
    for (const [p, v] of params) if (p !== shapeParam) freeProduct *= v.length;
    return { name, pool, params, freeProduct, ...(shapeParam ? { shapeParam } : {}) };
  }

  /** Shape after a layer (`value`: its shape parameter's), or null when the layer cannot follow `s`. */
  private after(s: Shape, t: TypeInfo, value?: Json): Shape | null {
    const flow = flowAfter(t.name, s.flow, t.shapeParam ? { [t.shapeParam]: value } : {});
    if (flow === null) return null;
    if (flow === 'flat') return { flow };
    if (s.flow === 'image') {
      if (!t.pool) return s;
      const k = value as number;
      if (s.h < k || s.w < k) return null;
      return { flow: 'image', h: Math.floor(s.h / k), w: Math.floor(s.w / k) };
    }
    if (s.flow === 'sequence' || s.flow === 'tokens') {
      if (!t.pool) return { flow: 'sequence', len: s.len };
      const k = value as number;
      if (s.len < k) return null;
      return { flow: 'sequence', len: Math.floor(s.len / k) };
    }
    return null;
  }

  private shapeValues(t: TypeInfo): Json[] {
    return t.params.find(([p]) => p === t.shapeParam)?.[1] ?? [];
  }

  /** Layer sequences of length r that can follow shape s. */
  private count(s: Shape, r: number): number {
    // the head is a dense softmax: it reads anything but token ids
    if (r === 0) return s.flow === 'tokens' ? 0 : 1;
    const k = `${shapeKey(s)}/${r}`;
    let n = this.memo.get(k);
    if (n === undefined) {
      n = 0;
      for (const t of this.types) n += this.countType(s, t, r);
      this.memo.set(k, n);
    }
    return n;
  }

  /** Sequences of length r starting with a layer of type t at shape s. */
  private countType(s: Shape, t: TypeInfo, r: number): number {
    if (t.shapeParam) {
      let n = 0;
      for (const value of this.shapeValues(t)) {
        const next = this.after(s, t, value);
        if (next) n += this.count(next, r - 1);
      }
      return n * t.freeProduct;
    }
    const next = this.after(s, t);
    return next ? t.freeProduct * this.count(next, r - 1) : 0;
  }

  private depths(): number[] {
    const out: number[] = [];
    for (let d = this.min; d <= this.max; d++) if (this.count(this.input, d) > 0) out.push(d);
    return out;
  }

  protected *plan(): Generator<Decision, ChainArch, number> {
    const depths = this.depths();
    const depth = depths[yield { name: 'depth', choices: depths }];
    let shape: Shape = this.input;
    const layers: ChainLayer[] = [];
    for (let i = 0; i < depth; i++) {
      const r = depth - i - 1;
      const s = shape;
      const types = this.types.filter((t) => this.countType(s, t, r + 1) > 0);
      const t = types[yield { name: `layer.${i}.type`, choices: types.map((x) => x.name) }];
      const layer: ChainLayer = { type: t.name };
      for (const [p, values] of t.params) {
        const offered =
          p === t.shapeParam
            ? values.filter((v) => {
                const next = this.after(s, t, v);
                return next !== null && this.count(next, r) > 0;
              })
            : values;
        layer[p] = offered[yield { name: `layer.${i}.${p}`, choices: offered }];
      }
      shape = this.after(s, t, t.shapeParam ? layer[t.shapeParam] : undefined) as Shape;
      layers.push(layer);
    }
    const hyper: Record<string, Json> = {};
    for (const [name, values] of this.hyper) hyper[name] = values[yield { name: `hyper.${name}`, choices: values }];
    return { layers, hyper };
  }

  private buildDecisions(): Decision[] {
    const out: Decision[] = [];
    const depths: Json[] = [];
    for (let d = this.min; d <= this.max; d++) depths.push(d);
    out.push({ name: 'depth', choices: depths });
    // parameters shared by several types (filters, kernel, activation) share one decision per layer
    const params = new Map<string, Json[]>();
    for (const t of this.types) for (const [p, v] of t.params) params.set(p, dedupe([...(params.get(p) ?? []), ...v]));
    for (let i = 0; i < this.max; i++) {
      out.push({ name: `layer.${i}.type`, choices: this.types.map((t) => t.name) });
      for (const [p, v] of params) out.push({ name: `layer.${i}.${p}`, choices: v });
    }
    for (const [name, values] of this.hyper) out.push({ name: `hyper.${name}`, choices: values });
    return out;
  }

  protected valueAt(arch: Json, name: string): Json | undefined {
    if (arch === null || typeof arch !== 'object' || Array.isArray(arch)) return undefined;
    const layers = arch.layers;
    if (name === 'depth') return Array.isArray(layers) ? layers.length : undefined;
    const m = /^layer\.(\d+)\.(.+)$/.exec(name);
    if (m) {
      const layer = Array.isArray(layers) ? layers[Number(m[1])] : undefined;
      if (layer === null || typeof layer !== 'object' || Array.isArray(layer)) return undefined;
      return layer[m[2]];
    }
    if (name.startsWith('hyper.')) {
      const hyper = arch.hyper;
      if (hyper === null || typeof hyper !== 'object' || Array.isArray(hyper)) return undefined;
      return hyper[name.slice('hyper.'.length)];
    }
    return undefined;
  }

  override validate(value: Json): ChainArch {
    // an architecture without searched hyperparameters may leave `hyper` out
    if (
      value !== null &&
      typeof value === 'object' &&
      !Array.isArray(value) &&
      value.hyper === undefined &&
      this.hyper.length === 0
    ) {
      return super.validate({ ...value, hyper: {} });
    }
    return super.validate(value);
  }

  decisions(): readonly Decision[] {
    return this.decs;
  }

  key(arch: ChainArch): string {
    return chainKey(arch);
  }

  size(): number {
    let hyper = 1;
    for (const [, v] of this.hyper) hyper *= v.length;
    let n = 0;
    for (const d of this.depths()) n += this.count(this.input, d);
    return n * hyper;
  }
}
