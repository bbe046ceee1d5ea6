// nas init (start from an example), nas runs and nas compare (across a store).

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURES, NAS_BIN, scratch } from './helpers/paths.js';

const nas = (args: string[], cwd: string) =>
  spawnSync(process.execPath, [NAS_BIN, ...args], { cwd, encoding: 'utf8', timeout: 120_000 });
const dir = scratch('cli-sharing');

test('nas init lists the templates and copies one with its paths still right', () => {
  const list = nas(['init'], dir);
  assert.is(list.status, 0, list.stderr);
  assert.match(list.stdout, /^ {2}nb201-regularized-evolution +\S/m);
  assert.match(list.stdout, /^ {2}digits-three-stage +Three stages/m);
  const r = nas(['init', 'nb201-regularized-evolution', '--out', 'sub/mine.yaml', '--name', 'my-search'], dir);
  assert.is(r.status, 0, r.stderr);
  const text = readFileSync(join(dir, 'sub', 'mine.yaml'), 'utf8');
  assert.match(text, /^name: my-search$/m);
  assert.match(text, /table: \.\.\/\.\.\/\S*workflows\/benchmarks\/nb201-cifar\.csv/);
  assert.is(nas(['validate', 'sub/mine.yaml'], dir).status, 0);
  const again = nas(['init', 'nb201-regularized-evolution', '--out', 'sub/mine.yaml'], dir);
  assert.is(again.status, 2);
  assert.match(again.stderr, /exists already/);
  const typo = nas(['init', 'nb201-regularised-evolution'], dir);
  assert.is(typo.status, 2);
  assert.match(
    typo.stderr,
    /^nas: no template "nb201-regularised-evolution"; did you mean "nb201-regularized-evolution"/,
  );
});

test('nas runs and nas compare list and compare the runs of a store', () => {
  const store = join(dir, 'runs.sqlite');
  assert.is(nas(['run', 'sub/mine.yaml', '--store', store, '--json'], dir).status, 0);
  assert.is(nas(['run', join(FIXTURES, 'stages', 'nb201-stages.yaml'), '--store', store, '--json'], dir).status, 0);
  const runs = nas(['runs', '--store', store], dir);
  assert.is(runs.status, 0, runs.stderr);
  const lines = runs.stdout.trim().split('\n');
  assert.is(lines.length, 3, 'a header and a line per run');
  assert.match(lines[0], /^run +name +status +trials +stages +strategy +best +at +time +created \(UTC\)$/);
  assert.match(lines[1], /^ +1 +my-search +complete \([^)]*\) +\d+ +- +regularized-evolution +accuracy=\d/);
  assert.match(
    lines[2],
    /^ +2 +nb201-stages +complete \(3 stages done\) +48 +screen > evolve > final +random > regularized-evolution > regularized-evolution +accuracy=\S+ +final #\d/,
  );
  const json = JSON.parse(nas(['runs', '--store', store, '--json'], dir).stdout) as {
    run: number;
    trials: number;
    best: { value: number };
  }[];
  assert.equal(
    json.map((r) => r.run),
    [1, 2],
  );
  const cmp = nas(['compare', '--store', store, '1', '2'], dir);
  assert.is(cmp.status, 0, cmp.stderr);
  assert.match(cmp.stdout, /^run +name +strategy +status +trials +best +at trial +best at 25\/50\/75\/100 % +time$/m);
  const rows = JSON.parse(nas(['compare', '--store', store, '--json'], dir).stdout) as {
    run: number;
    best_so_far: number[];
    trials_to_best: number;
    best: { value: number };
  }[];
  assert.is(rows.length, 2);
  for (const r of rows) {
    assert.is(r.best_so_far[3], r.best.value, 'best so far at 100 % is the best');
    assert.ok(r.trials_to_best >= 1);
  }
  const bad = nas(['compare', '--store', store, '7'], dir);
  assert.is(bad.status, 2);
  assert.match(bad.stderr, /no run "7"/);
});

test.after(() => {
  if (existsSync(dir)) rmSync(dir, { recursive: true, force: true });
});

test.run();
