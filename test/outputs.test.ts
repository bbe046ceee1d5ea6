// Files the CLI writes: never an input of the same command, never an existing file without --force,
// and a write that fails is one line naming the file.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync, writeFileSync } from 'node:fs';
import { TEMPLATES_DIR } from '../engine/cli/init.js';
import { join } from 'node:path';
import { FIXTURES, scratch } from './helpers/paths.js';
import { nas, oneLine } from './helpers/cli.js';

const TINY = join(FIXTURES, 'engine', 'tiny-random.yaml');

async function tinyStore(dir: string): Promise<string> {
  const store = join(dir, 'tiny.sqlite');
  const r = await nas(['run', TINY, '--store', store]);
  assert.is(r.code, 0, r.stderr);
  return store;
}

test('meta export never overwrites its source store', async () => {
  const dir = scratch('outputs');
  const store = await tinyStore(dir);
  const before = readFileSync(store);
  const r = await nas(['meta', 'export', store, '--out', store]);
  assert.is(r.code, 2);
  assert.ok(oneLine(r.stderr), r.stderr);
  assert.match(r.stderr, /is an input of this command/);
  const forced = await nas(['meta', 'export', store, '--out', store, '--force']);
  assert.is(forced.code, 2, '--force does not make an input an output');
  assert.ok(readFileSync(store).equals(before), 'the store is unchanged');
  const status = await nas(['status', '--store', store]);
  assert.is(status.code, 0, status.stderr);
});

test('meta export refuses an existing --out unless --force', async () => {
  const dir = scratch('outputs');
  const store = await tinyStore(dir);
  const out = join(dir, 'k.json');
  writeFileSync(out, 'precious');
  const r = await nas(['meta', 'export', store, '--out', out]);
  assert.is(r.code, 2);
  assert.match(r.stderr, /exists already; choose another --out, or add --force/);
  assert.is(readFileSync(out, 'utf8'), 'precious');
  assert.is((await nas(['meta', 'export', store, '--out', out, '--force'])).code, 0);
  assert.is(JSON.parse(readFileSync(out, 'utf8')).version, 1);
});

test('meta export into a missing directory fails in one line', async () => {
  const dir = scratch('outputs');
  const store = await tinyStore(dir);
  writeFileSync(join(dir, 'file'), '');
  const r = await nas(['meta', 'export', store, '--out', join(dir, 'file', 'k.json')]);
  assert.is(r.code, 1);
  assert.ok(oneLine(r.stderr), r.stderr);
  assert.match(r.stderr, /cannot write .*k\.json/);
});

test('report refuses to overwrite an earlier report unless --force, and a report it cannot write is one line', async () => {
  const dir = scratch('outputs');
  const store = await tinyStore(dir);
  const out = join(dir, 'rep');
  assert.is((await nas(['report', '--store', store, '--out', out])).code, 0);
  const again = await nas(['report', '--store', store, '--out', out]);
  assert.is(again.code, 2);
  assert.match(again.stderr, /report\.html exists already/);
  assert.is((await nas(['report', '--store', store, '--out', out, '--force'])).code, 0);
  writeFileSync(join(dir, 'plain'), '');
  const bad = await nas(['report', '--store', store, '--out', join(dir, 'plain', 'sub')]);
  assert.is(bad.code, 1);
  assert.ok(oneLine(bad.stderr), bad.stderr);
  assert.match(bad.stderr, /cannot write .*plain/);
  const onStore = await nas(['report', '--store', store, '--out', store]);
  assert.is(onStore.code, 1, onStore.stderr);
  assert.ok(oneLine(onStore.stderr), onStore.stderr);
});

test('init never overwrites a file without --force, nor its template', async () => {
  const dir = scratch('outputs');
  const out = join(dir, 'w.yaml');
  writeFileSync(out, 'mine');
  const r = await nas(['init', 'nb201-random', '--out', out]);
  assert.is(r.code, 2);
  assert.ok(oneLine(r.stderr), r.stderr);
  assert.is(readFileSync(out, 'utf8'), 'mine');
  assert.is((await nas(['init', 'nb201-random', '--out', out, '--force'])).code, 0);
  assert.match(readFileSync(out, 'utf8'), /strategy/);
  const list = await nas(['init']);
  assert.not.match(list.stdout, /yaml-language-server/, 'editor directives are not descriptions');
  const template = join(TEMPLATES_DIR, 'nb201-random.yaml');
  const text = readFileSync(template, 'utf8');
  const onTemplate = await nas(['init', 'nb201-random', '--out', template, '--force']);
  assert.is(onTemplate.code, 2);
  assert.match(onTemplate.stderr, /is an input of this command/);
  assert.is(readFileSync(template, 'utf8'), text);
});

test.run();
