// Meta-learning: knowledge from stores and files (export/import round trip), task similarity, priors,
// pruning, warm start ordering, predictor screening, and a search that uses it through the engine.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { loadWorkflow } from '../engine/workflow/index.js';
import { Store } from '../engine/store/store.js';
import { resumeRun, startRun } from '../engine/search/run.js';
import { createSpace } from '../engine/space/index.js';
import { Rng } from '../engine/core/rng.js';
import {
  exportKnowledge,
  familyOf,
  fitRidge,
  loadKnowledge,
  parseKnowledge,
  prepareMeta,
  RestrictedSpace,
  taskSimilarity,
  writeKnowledge,
  KNOWLEDGE_VERSION,
  type TaskDescriptor,
  type TaskKnowledge,
} from '../engine/meta/index.js';
import { ScreenedStrategy } from '../strategies/wrappers/screened.js';
import { getStrategy } from '../strategies/index.js';
import { main } from '../engine/cli/main.js';
import type { WorkflowConfig } from '../engine/core/workflow.js';
import { reaWorkflow } from './helpers/nb201.js';
import { ROOT, scratch } from './helpers/paths.js';

const rea = reaWorkflow;
const dir = scratch('meta');

/** A source store: a short REA run on the cifar10 column (made once). */
let sourcePath: string | undefined;
async function source(): Promise<string> {
  if (sourcePath) return sourcePath;
  const path = join(dir, 'source.sqlite');
  const store = Store.open(path);
  const s = await startRun(store, { ...rea(), budget: { trials: 120, failures: 5 } });
  assert.is(s.status, 'complete');
  store.close();
  return (sourcePath = path);
}

const target = (meta?: WorkflowConfig['meta']): WorkflowConfig => ({
  ...rea(),
  evaluation: { ...rea().evaluation, metric: 'cifar100' },
  ...(meta ? { meta } : {}),
});

test('a store becomes task knowledge: table task, complete trials best first', async () => {
  const tasks = loadKnowledge([await source()]);
  assert.is(tasks.length, 1);
  const t = tasks[0];
  assert.equal(t.task, { kind: 'table', evaluation: 'benchmark', table: 'nb201-cifar.csv', metric: 'cifar10' });
  assert.is(t.trials.length, 120);
  assert.is(t.evaluated, 120);
  for (let i = 1; i < t.trials.length; i++) assert.ok(t.trials[i - 1].score >= t.trials[i].score);
  assert.is(Object.keys(t.decisions).length, 6);
});

test('knowledge export then import round-trips (file and CLI)', async () => {
  const k = exportKnowledge([await source()]);
  assert.is(k.version, KNOWLEDGE_VERSION);
  const file = join(dir, 'k.json');
  writeKnowledge(file, k);
  const back = loadKnowledge([file]);
  assert.equal(back, k.tasks);
  // a knowledge file re-exported is the same knowledge
  const again = exportKnowledge([file]);
  assert.equal(again.tasks, k.tasks);
  // top keeps the best N
  assert.is(exportKnowledge([file], { top: 5 }).tasks[0].trials.length, 5);
  // through the CLI
  const out = join(dir, 'cli.json');
  const err: string[] = [];
  const io = { stdout: { write: () => true }, stderr: { write: (s: string) => (err.push(s), true) } } as never;
  assert.is(await main(['meta', 'export', await source(), '--out', out], io), 0);
  assert.equal(loadKnowledge([out]), k.tasks);
  const shown: string[] = [];
  const io2 = { stdout: { write: (s: string) => (shown.push(s), true) }, stderr: { write: () => true } } as never;
  assert.is(await main(['meta', 'show', out, '--json'], io2), 0);
  const j = JSON.parse(shown.join(''));
  assert.is(j[0].trials, 120);
  // a newer version or another format is refused with a clear message
  writeFileSync(join(dir, 'new.json'), JSON.stringify({ ...k, version: KNOWLEDGE_VERSION + 1 }));
  assert.throws(() => loadKnowledge([join(dir, 'new.json')]), /newer/);
  assert.throws(() => parseKnowledge('{"format":"x"}'), /not a nas knowledge file/);
});

test('task similarity: same column 1, other column of the table 0.5, datasets by meta-features', () => {
  const t = (metric: string): TaskDescriptor => ({ kind: 'table', evaluation: 'benchmark', table: 'a.csv', metric });
  assert.is(taskSimilarity(t('x'), t('x')), 1);
  assert.is(taskSimilarity(t('x'), t('y')), 0.5);
  const f = (n: number, classes: number, nn: number) => ({
    n,
    features: 64,
    inputShape: [8, 8, 1],
    classes,
    classEntropy: Math.log2(classes),
    classEntropyNormalized: 1,
    minClassFraction: 1 / classes,
    maxClassFraction: 1 / classes,
    classBalance: 1,
    landmark1nn: nn,
    landmarkCentroid: nn,
    landmarkSamples: 600,
  });
  const d = (n: number, c: number, nn: number): TaskDescriptor => ({
    kind: 'dataset',
    evaluation: 'train',
    source: 's',
    features: f(n, c, nn),
  });
  assert.is(taskSimilarity(d(1000, 10, 0.9), d(1000, 10, 0.9)), 1);
  const near = taskSimilarity(d(1000, 10, 0.9), d(2000, 10, 0.85));
  const far = taskSimilarity(d(1000, 10, 0.9), d(150, 3, 0.5));
  assert.ok(near > far && far > 0, `${near} ${far}`);
});

test('warm start: best-known archs first (by source score), priors favour the best ops', async () => {
  const space = createSpace(rea().space);
  const tasks = loadKnowledge([await source()]);
  const plan = prepareMeta(target({ from: [], learn: ['space', 'strategy'] }), space, tasks);
  const archs = plan.warmStart?.archs ?? [];
  assert.is(archs.length, 20);
  assert.equal(
    archs.map((a) => space.key(a)),
    tasks[0].trials.slice(0, 20).map((t) => t.key),
  );
  const p = plan.warmStart?.priors?.['edge.1<-0'];
  assert.ok(p && p.length === 5);
  assert.ok(Math.abs(p!.reduce((a, b) => a + b, 0) - 1) < 1e-9);
  assert.ok(p![3] > p![0] && p![3] > 0.2, `nor_conv_3x3 should dominate edge 1<-0: ${p}`);
  assert.is(
    plan.wrap(getStrategy('random')!.create({}, { space, seed: 1, objective: rea().objective })).constructor.name,
    'RandomSearch',
  );
});

test('a source whose space shares no decision transfers nothing; archs of another space are dropped', async () => {
  const chain = {
    kind: 'chain',
    input: [4],
    layers: { min: 1, max: 2, choose: { dense: { units: [4, 8] } } },
    hyper: {},
  } as const;
  const space = createSpace(chain as never);
  const tasks = loadKnowledge([await source()]);
  const plan = prepareMeta(
    { ...target({ from: [], learn: ['space', 'strategy'] }), space: chain as never },
    space,
    tasks,
  );
  assert.is(plan.warmStart, undefined);
  assert.is(plan.summary.ignored, 1);
});

test('prune_ops removes choices never among the best of any edge, and the restricted space stays consistent', () => {
  const space = createSpace(rea().space);
  const base: TaskKnowledge = loadKnowledgeLike(space);
  const plan = prepareMeta(target({ from: [], learn: ['space'], prune_ops: true, top_fraction: 1 }), space, [base]);
  assert.ok(plan.space instanceof RestrictedSpace);
  assert.equal(
    plan.summary.pruned,
    Object.fromEntries(space.decisions().map((d) => [d.name, ['"none"', '"avg_pool_3x3"']])),
  );
  const rng = new Rng(3);
  const keys = new Set<string>();
  for (let i = 0; i < 200; i++) {
    const a = plan.space.mutate(plan.space.sample(rng), rng);
    const ops = (a as { ops: string[] }).ops;
    assert.ok(!ops.includes('none') && !ops.includes('avg_pool_3x3'), JSON.stringify(a));
    keys.add(plan.space.key(a));
    assert.equal(plan.space.decode(plan.space.choicesOf(a)), a);
  }
  assert.is(plan.space.size(), 3 ** 6);
  assert.is([...plan.space.enumerate()].length, 3 ** 6);
  assert.throws(() => plan.space.validate({ ops: ['none', 'none', 'none', 'none', 'none', 'none'] }), /pruned/);
  assert.is(familyOf('layer.3.type'), 'layer.#.type');
  assert.is(familyOf('edge.2<-1'), 'edge.#');
});

/** A synthetic task on the nb201 space whose trials use only skip/conv ops. */
function loadKnowledgeLike(space: ReturnType<typeof createSpace>): TaskKnowledge {
  const ops = ['skip_connect', 'nor_conv_1x1', 'nor_conv_3x3'];
  const rng = new Rng(5);
  const trials = Array.from({ length: 30 }, (_, i) => {
    const arch = { ops: Array.from({ length: 6 }, () => rng.pick(ops)) };
    return { key: space.key(arch), arch, score: 100 - i, metrics: { accuracy: 100 - i } };
  });
  const decisions = Object.fromEntries(space.decisions().map((d) => [d.name, d.choices.map((c) => JSON.stringify(c))]));
  return {
    id: 'synthetic',
    name: 'synthetic',
    task: { kind: 'table', evaluation: 'benchmark', table: 'nb201-cifar.csv', metric: 'cifar10' },
    space: rea().space,
    decisions,
    objective: { metric: 'accuracy', mode: 'max' },
    trials,
    evaluated: 30,
  };
}

test('ridge regression recovers a linear function', () => {
  const rng = new Rng(1);
  const X = Array.from({ length: 200 }, () => [rng.next(), rng.next(), rng.next()]);
  const y = X.map((x) => 2 * x[0] - x[1] + 0.5 * x[2] + 3);
  const p = fitRidge(
    X,
    y,
    y.map(() => 1),
    1e-6,
  );
  assert.ok(
    Math.abs(p.weights[0] - 2) < 1e-3 && Math.abs(p.weights[1] + 1) < 1e-3 && Math.abs(p.bias - 3) < 1e-3,
    JSON.stringify(p),
  );
});

test('screening lets through only candidates predicted in the top fraction and survives snapshot/restore', () => {
  const space = createSpace(rea().space);
  const score = (a: unknown) => (a as { ops: string[] }).ops.filter((o) => o === 'nor_conv_3x3').length;
  const mk = () =>
    new ScreenedStrategy(
      getStrategy('random')!.create({}, { space, seed: 4, objective: rea().objective }),
      space,
      score,
      { fraction: 0.2, seed: 1 },
    );
  const s = mk();
  const got: number[] = [];
  for (let i = 0; i < 30; i++) {
    const a = s.ask();
    assert.ok('arch' in a);
    got.push(score((a as { arch: unknown }).arch));
  }
  assert.ok(
    got.every((g) => g >= s.threshold),
    `${got} threshold ${s.threshold}`,
  );
  assert.ok(s.counts().screened > 0);
  const snap = s.snapshot();
  const t = mk();
  t.restore(JSON.parse(JSON.stringify(snap)));
  assert.equal(t.ask(), s.ask());
});

test('a search with meta through the engine finds the target optimum sooner than without', async () => {
  const from = await source();
  const run = async (wf: WorkflowConfig) => {
    const store = Store.open(':memory:');
    const s = await startRun(store, { ...wf, budget: { trials: 40, failures: 5 } });
    assert.is(s.status, 'complete', s.reason);
    const trials = store.trials(s.run, '');
    store.close();
    return Math.max(...trials.map((t) => t.metrics.accuracy));
  };
  const withMeta = await run(target({ from: [from], learn: ['space', 'strategy', 'evaluation'] }));
  const without = await run(target());
  assert.ok(withMeta >= without, `${withMeta} < ${without}`);
  assert.ok(withMeta > 73, `with meta: ${withMeta}`);
});

test('a run with meta (warm start + screening) resumes from its checkpoint with a grown budget', async () => {
  const from = await source();
  const wf = {
    ...target({ from: [from], learn: ['space', 'strategy', 'evaluation'] }),
    budget: { trials: 15, failures: 5 },
  };
  const store = Store.open(':memory:');
  const first = await startRun(store, wf);
  assert.is(first.trials, 15);
  const grown = { ...wf, budget: { trials: 30, failures: 5 }, source: { ...wf.source, hash: 'grown' } };
  const second = await resumeRun(store, first.run, grown);
  assert.is(second.status, 'complete', second.reason);
  const trials = store.trials(first.run, '');
  assert.is(trials.length, 30);
  assert.is(new Set(trials.map((t) => t.key)).size, 30);
  assert.ok(
    trials.every((t) => typeof t.info?.predicted === 'number'),
    'every proposal went through the screen',
  );
  store.close();
});

test('the example workflow validates and its knowledge file loads', () => {
  const wf = loadWorkflow(join(ROOT, 'workflows', 'meta-nb201-cifar100.yaml'));
  assert.ok(wf.meta);
  const plan = prepareMeta(wf, createSpace(wf.space));
  assert.is((plan.summary.sources as unknown[]).length, 1);
  assert.is(plan.warmStart?.archs?.length, 20);
});

test.run();
