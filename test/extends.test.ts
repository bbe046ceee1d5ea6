// Sharing workflows: `extends: base.yaml` deep-merges a base file under this one (recursively), paths in
// a base stay relative to the base, and every problem points into the file that wrote it.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadWorkflow, checkWorkflowFile } from '../engine/workflow/index.js';
import { deepMerge } from '../engine/workflow/extends.js';
import { NAS_BIN, ROOT, scratch } from './helpers/paths.js';

const TABLE = join(ROOT, 'workflows', 'benchmarks', 'nb201-cifar.csv');

function files(dir: string, map: Record<string, string>): void {
  for (const [name, text] of Object.entries(map)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
}

test('deepMerge: mappings merge, lists and scalars replace, inputs unchanged', () => {
  const base = { a: { b: 1, c: [1, 2] }, d: 'x' };
  const over = { a: { c: [3] }, e: true };
  assert.equal(deepMerge(base, over), { a: { b: 1, c: [3] }, d: 'x', e: true });
  assert.equal(base, { a: { b: 1, c: [1, 2] }, d: 'x' });
});

test('a workflow extends a base in another folder (which extends another): merged, base paths relative to the base', () => {
  const dir = scratch('extends');
  try {
    files(dir, {
      'shared/common.yaml': `seed: 9\nbudget: { trials: 50, failures: 3 }\nparallel: 2\n`,
      'shared/nb201.yaml': `extends: common.yaml\nspace: { kind: cell, preset: nb201 }\nstrategy: { type: regularized-evolution, population: 10, sample: 3 }\nevaluation: { type: benchmark, table: bench/t.csv, metric: cifar10 }\n`,
      'shared/bench/t.csv': 'arch,cifar10\n',
      'mine/search.yaml': `name: mine\nextends: ../shared/nb201.yaml\nstrategy: { sample: 5 }\nbudget: { trials: 20 }\n`,
    });
    const wf = loadWorkflow(join(dir, 'mine', 'search.yaml'));
    assert.is(wf.name, 'mine');
    assert.is(wf.seed, 9);
    assert.equal(wf.strategy, { type: 'regularized-evolution', population: 10, sample: 5 });
    assert.equal(wf.budget, { trials: 20, failures: 3 });
    assert.is(wf.evaluation.table, join(dir, 'shared', 'bench', 't.csv'));
    assert.equal(wf.extends, [join(dir, 'shared', 'nb201.yaml'), join(dir, 'shared', 'common.yaml')]);
    // the run's identity covers the bases: editing a base changes the hash
    const h1 = wf.source.hash;
    writeFileSync(join(dir, 'shared', 'common.yaml'), `seed: 10\nbudget: { trials: 50, failures: 3 }\nparallel: 2\n`);
    assert.is.not(loadWorkflow(join(dir, 'mine', 'search.yaml')).source.hash, h1);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('problems point into the right file: the base, the extending file, the extends reference', () => {
  const dir = scratch('extends-bad');
  try {
    files(dir, {
      'base.yaml': `# base\nspace: { kind: cell, preset: nb201 }\nstrategy: { type: random }\nevaluation: { type: benchmark, table: ${TABLE}, metric: cifar10 }\nbudget: { trials: -1 }\n`,
      'child.yaml': `name: child\nextends: base.yaml\nretries: -2\n`,
      'missing.yaml': `name: x\nextends: nowhere/base.yaml\n`,
      'stage-from.yaml': `name: staged\nextends: base.yaml\nbudget: { trials: 5 }\nstages:\n  - name: one\n  - name: two\n    from: { stage: tow, top: 2 }\n`,
    });
    const v = spawnSync(process.execPath, [NAS_BIN, 'validate', 'child.yaml', 'missing.yaml', 'stage-from.yaml'], {
      cwd: dir,
      encoding: 'utf8',
    });
    assert.is(v.status, 1);
    assert.equal(v.stderr.trim().split('\n'), [
      'child.yaml:3:10: retries must be an integer >= 0, got -2',
      'base.yaml:5:19: budget.trials must be an integer >= 1, got -1',
      `missing.yaml:2:10: extends: file "nowhere/base.yaml" not found (paths are relative to the workflow file: ${dir})`,
      'stage-from.yaml:7:20: stages[1].from.stage "tow" names no stage (earlier stages: one)',
    ]);
    // the child overrides the base's bad value: then the base is fine
    writeFileSync(join(dir, 'child.yaml'), `name: child\nextends: base.yaml\nbudget: { trials: 3 }\n`);
    assert.equal(checkWorkflowFile(join(dir, 'child.yaml')).problems, []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
