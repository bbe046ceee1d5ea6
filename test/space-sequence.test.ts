/**
 * Chain spaces with sequence layers stay valid by construction: every sampled, mutated or
 * crossed-over architecture reads, layer by layer, only the flow its type accepts (layers.ts), the
 * head never reads token ids, and each arch builds; a space offering nothing for token ids fails.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Rng } from '../engine/core/rng.js';
import { ChainSpace, type ChainArch } from '../engine/space/chain.js';
import { LAYER_TYPES, flowAfter, inputFlow, type Flow } from '../engine/space/layers.js';
import type { ChainSpaceConfig } from '../engine/core/workflow.js';
import { initBackend } from '../engine/training/backend.js';
import { buildModel } from '../engine/training/model/index.js';

type Config = Pick<ChainSpaceConfig, 'input' | 'layers' | 'hyper' | 'tokens'>;

const ALL_SEQUENCE = {
  embedding: { dim: [8] },
  conv1d: { filters: [4], kernel: [3], dilation: [1, 2] },
  max_pool1d: { size: [2, 4] },
  avg_pool1d: { size: [3] },
  global_pool: { mode: ['max', 'avg'] },
  lstm: { units: [4], return_sequences: [false, true], bidirectional: [false, true] },
  gru: { units: [4], return_sequences: [false, true] },
  attention: { heads: [2], key_dim: [4], ff_units: [8] },
  layer_norm: {},
  dense: { units: [8] },
  dropout: { rate: [0.1] },
  batch_norm: {},
};

const SPACES: Record<string, Config> = {
  tokens: { input: [12], tokens: true, layers: { min: 1, max: 5, choose: ALL_SEQUENCE }, hyper: {} },
  steps: {
    input: [9, 3],
    layers: { min: 1, max: 4, choose: { ...ALL_SEQUENCE, embedding: undefined } as never },
    hyper: {},
  },
  image: {
    input: [8, 8, 2],
    layers: {
      min: 1,
      max: 4,
      choose: { conv2d: { filters: [4] }, max_pool: {}, global_pool: {}, lstm: {}, dense: { units: [4] } },
    },
    hyper: {},
  },
};

/** Walks the flow through the arch; returns the problem or null. */
function problem(arch: ChainArch, config: Config): string | null {
  let flow: Flow = inputFlow(config.input, config.tokens === true);
  let steps = config.input[0];
  for (const l of arch.layers) {
    const next = flowAfter(l.type, flow, l);
    if (next === null) return `${l.type} on ${flow} in ${JSON.stringify(arch)}`;
    if ((l.type === 'max_pool1d' || l.type === 'avg_pool1d') && steps < (l.size as number))
      return `pool ${l.size} on ${steps} steps`;
    if (l.type === 'max_pool1d' || l.type === 'avg_pool1d') steps = Math.floor(steps / (l.size as number));
    for (const p of Object.keys(LAYER_TYPES[l.type].params)) if (!(p in l)) return `${l.type} lacks ${p}`;
    flow = next;
  }
  return flow === 'tokens' ? 'the head reads token ids' : null;
}

function clean(config: Config): Config {
  const choose = Object.fromEntries(Object.entries(config.layers.choose).filter(([, v]) => v !== undefined));
  return { ...config, layers: { ...config.layers, choose } };
}

for (const [name, raw] of Object.entries(SPACES)) {
  test(`${name}: sampled, mutated and crossed-over archs read only flows their types accept`, () => {
    const config = clean(raw);
    const space = new ChainSpace(config);
    const rng = new Rng(3);
    const seen = new Set<string>();
    for (let i = 0; i < 400; i++) {
      const a = space.sample(rng);
      const b = space.mutate(a, rng);
      const c = space.crossover(a, space.sample(rng), rng);
      for (const x of [a, b, c]) {
        assert.is(problem(x, config), null);
        assert.equal(space.validate(x), x);
        x.layers.forEach((l) => seen.add(l.type));
      }
    }
    // every type that can be placed was placed
    const placeable =
      name === 'image' ? ['conv2d', 'max_pool', 'global_pool', 'dense'] : Object.keys(config.layers.choose);
    assert.equal([...seen].sort(), placeable.sort());
    if (name === 'image') assert.not.ok(seen.has('lstm'), 'no lstm on an image');
  });
}

test('tokens: the first layer is always an embedding; an lstm never follows a dense layer', () => {
  const config = clean(SPACES.tokens);
  const space = new ChainSpace(config);
  const rng = new Rng(9);
  for (let i = 0; i < 300; i++) {
    const a = space.sample(rng);
    assert.is(a.layers[0].type, 'embedding');
    const dense = a.layers.findIndex((l) => l.type === 'dense');
    if (dense >= 0) assert.not.ok(a.layers.slice(dense).some((l) => l.type === 'lstm' || l.type === 'conv1d'));
  }
});

test('every enumerated arch of a small token space builds', async () => {
  await initBackend('cpu');
  const config: Config = {
    input: [6],
    tokens: true,
    layers: {
      min: 1,
      max: 3,
      choose: {
        embedding: { dim: [4] },
        conv1d: { filters: [3], kernel: [3], dilation: [2] },
        max_pool1d: { size: [4] },
        gru: { units: [3], return_sequences: [false, true] },
        attention: { heads: [1], key_dim: [2], ff_units: [4] },
        global_pool: { mode: ['avg'] },
        dense: { units: [3] },
      },
    },
    hyper: {},
  };
  const space = new ChainSpace(config);
  let n = 0;
  for (const arch of space.enumerate()) {
    const m = buildModel({ space: 'chain', arch, inputShape: [6], classes: 2, vocab: 10 });
    m.dispose();
    n++;
  }
  assert.is(n, space.size());
  assert.ok(n > 20, String(n));
});

test('a token space without an embedding cannot be built', () => {
  assert.throws(
    () =>
      new ChainSpace({
        input: [10],
        tokens: true,
        layers: { min: 1, max: 3, choose: { conv1d: {}, dense: {} } },
        hyper: {},
      }),
    /no network/,
  );
});

test.run();
