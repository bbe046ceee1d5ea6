// The contract every registered strategy keeps (loops over STRATEGIES, so new strategies get it):
// a valid options schema, reproducible runs, valid proposals on a tiny finite space, snapshot/restore
// mid-run with proposals in flight, and tolerance of failed trials and out-of-order tells.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Ajv } from 'ajv';
import type { Arch, JsonObject, Metrics, Objective, TrialRecord } from '../engine/core/types.js';
import { deriveSeed } from '../engine/core/rng.js';
import { createSpace } from '../engine/space/index.js';
import type { SearchSpace } from '../engine/core/space.js';
import { STRATEGIES } from '../strategies/index.js';
import type { Strategy, StrategyDefinition } from '../engine/core/strategy.js';
import { drive } from './helpers/drive.js';

const OBJECTIVE: Objective = { metric: 'score', mode: 'max' };
const ajv = new Ajv({ useDefaults: true, strict: false });

/** Options as the workflow loader gives them: the schema's defaults, plus overrides. */
function options(def: StrategyDefinition<JsonObject>, extra: JsonObject = {}): JsonObject {
  const o: JsonObject = { ...extra };
  const validate = ajv.compile(def.optionsSchema);
  if (!validate(o)) throw new Error(`${def.type}: default options invalid: ${ajv.errorsText(validate.errors)}`);
  return o;
}

// For the "different seeds differ" check, a strategy that ignores its seed by default is run with
// options that use it.
const SEEDED: Record<string, JsonObject> = { grid: { shuffle: true } };

function make(def: StrategyDefinition<JsonObject>, space: SearchSpace, seed: number, extra?: JsonObject): Strategy {
  return def.create(options(def, extra), { space, seed, objective: OBJECTIVE, budgetTrials: 40 });
}

/** A deterministic landscape: a hash of the key. */
const scoreOf =
  (space: SearchSpace) =>
  (arch: Arch): Metrics => ({ score: deriveSeed(11, space.key(arch)) / 2 ** 32 });
/** The same, failing a quarter of the architectures. */
const flaky =
  (space: SearchSpace) =>
  (arch: Arch): Metrics | null => {
    const h = deriveSeed(12, space.key(arch));
    return h % 4 === 0 ? null : { score: h / 2 ** 32 };
  };

const nb201 = createSpace({
  kind: 'cell',
  preset: 'nb201',
  nodes: 4,
  ops: ['none', 'skip_connect', 'nor_conv_1x1', 'nor_conv_3x3', 'avg_pool_3x3'],
});
const tiny = createSpace({ kind: 'cell', nodes: 3, ops: ['a', 'b'] });
const chain = createSpace({
  kind: 'chain',
  input: [8, 8, 1],
  layers: {
    min: 1,
    max: 3,
    choose: { conv2d: { filters: [8, 16], kernel: [3] }, max_pool: {}, dense: { units: [16, 32] } },
  },
  hyper: { learning_rate: [0.001, 0.01] },
});

function run(def: StrategyDefinition<JsonObject>, space: SearchSpace, seed: number, extra?: JsonObject) {
  const keys: string[] = [];
  const s = make(def, space, seed, extra);
  const records = drive(s, space, scoreOf(space), { budget: 25, parallel: 2, seed, onAsk: (_a, k) => keys.push(k) });
  return { keys, records, strategy: s };
}

for (const def of STRATEGIES as StrategyDefinition<JsonObject>[]) {
  const name = def.type;

  test(`${name}: options schema is a closed draft-07 object with described, defaulted properties`, () => {
    const schema = def.optionsSchema as {
      type?: string;
      additionalProperties?: boolean;
      properties?: Record<string, { description?: string }>;
    };
    assert.is(schema.type, 'object');
    assert.is(schema.additionalProperties, false);
    for (const [p, s] of Object.entries(schema.properties ?? {}))
      assert.ok(s.description, `${name}.${p} lacks a description`);
    options(def);
    assert.not.ok(ajv.validate(def.optionsSchema, { not_an_option: 1 }), 'unknown options must be rejected');
  });

  for (const [label, space] of [
    ['nb201', nb201],
    ['chain', chain],
  ] as const) {
    test(`${name}: same seed, same run; another seed, another run (${label})`, () => {
      const a = run(def, space, 1);
      const b = run(def, space, 1);
      assert.ok(a.keys.length > 0);
      assert.equal(a.keys, b.keys);
      assert.equal(a.records, b.records);
      const c = run(def, space, 1, SEEDED[name]);
      const d = run(def, space, 2, SEEDED[name]);
      assert.not.equal(c.keys, d.keys, 'different seeds should give different proposals');
    });
  }

  test(`${name}: stays inside a tiny finite space and runs out without crashing`, () => {
    const s = make(def, tiny, 3);
    const records = drive(s, tiny, scoreOf(tiny), {
      budget: 50,
      parallel: 2,
      seed: 3,
      maxAsks: 300,
      onAsk: (arch) => void tiny.validate(arch),
    });
    assert.ok(records.length > 0 && records.length <= 8, String(records.length));
    assert.is(new Set(records.map((r) => r.key)).size, records.length);
  });

  for (const [label, space] of [
    ['nb201', nb201],
    ['chain', chain],
  ] as const) {
    test(`${name}: snapshot mid-run (proposals in flight) restores into a fresh instance (${label})`, () => {
      const ev = flaky(space);
      const s1 = make(def, space, 5);
      const history = drive(s1, space, ev, { budget: 12, parallel: 3, seed: 5 });
      const inflight: Arch[] = [];
      for (let i = 0; i < 3; i++) {
        const a = s1.ask();
        if (!('arch' in a)) break;
        inflight.push(a.arch);
      }
      const snap = JSON.parse(JSON.stringify(s1.snapshot()));
      const s2 = make(def, space, 5);
      s2.restore(snap);
      // results of the proposals in flight arrive (in reverse order) at both
      const seen = new Map(history.map((r) => [r.key, r]));
      let number = history.length;
      for (const arch of inflight.reverse()) {
        const key = space.key(arch);
        let r = seen.get(key);
        if (!r) {
          const m = ev(arch);
          r = {
            number: ++number,
            key,
            arch,
            state: m ? 'complete' : 'failed',
            metrics: m ?? {},
            seed: 0,
            attempts: 1,
            startedAt: 0,
          } as TrialRecord;
          seen.set(key, r);
          history.push(r);
        }
        s1.tell(r);
        s2.tell(r);
      }
      const k1: string[] = [];
      const k2: string[] = [];
      const r1 = drive(s1, space, ev, { budget: 20, parallel: 3, seed: 6, history, onAsk: (_a, k) => k1.push(k) });
      const r2 = drive(s2, space, ev, { budget: 20, parallel: 3, seed: 6, history, onAsk: (_a, k) => k2.push(k) });
      assert.equal(k1, k2);
      assert.equal(r1, r2);
      assert.equal(JSON.parse(JSON.stringify(s1.snapshot())), JSON.parse(JSON.stringify(s2.snapshot())));
    });
  }

  test(`${name}: tolerates failed trials and out-of-order tells (3 in flight)`, () => {
    const s = make(def, nb201, 7);
    const records = drive(s, nb201, flaky(nb201), { budget: 40, parallel: 3, seed: 7 });
    assert.ok(records.some((r) => r.state === 'failed'));
    assert.ok(records.some((r) => r.state === 'complete'));
    const all = make(def, nb201, 8);
    const failed = drive(all, nb201, () => null, { budget: 15, parallel: 3, seed: 8 });
    assert.ok(failed.length > 0 && failed.every((r) => r.state === 'failed'));
  });
}

test('every registered strategy has a distinct type', () => {
  const types = STRATEGIES.map((s) => s.type);
  assert.is(new Set(types).size, types.length);
  for (const t of ['random', 'grid', 'regularized-evolution', 'genetic', 'local-search'])
    assert.ok(types.includes(t), t);
});

test.run();
