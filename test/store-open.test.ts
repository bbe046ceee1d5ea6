// Opening stores: read-only commands open them read-only; a file that is not our store is refused by
// name and left untouched; a damaged one is one line that suggests sqlite3 .recover or a backup.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import Database from 'better-sqlite3';
import { chmodSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURES, scratch } from './helpers/paths.js';
import { nas, oneLine } from './helpers/cli.js';
import { StoreReader } from '../engine/store/reader.js';

const TINY = join(FIXTURES, 'engine', 'tiny-random.yaml');
const READERS = [['status'], ['best'], ['runs'], ['compare'], ['resume']];

async function tinyStore(dir: string): Promise<string> {
  const store = join(dir, 'tiny.sqlite');
  assert.is((await nas(['run', TINY, '--store', store])).code, 0);
  return store;
}

test('status on an unrelated SQLite database refuses it and leaves it untouched', async () => {
  const dir = scratch('store-open');
  const other = join(dir, 'other.db');
  const db = new Database(other);
  db.exec('CREATE TABLE notes (body TEXT); INSERT INTO notes VALUES (1)');
  db.close();
  const before = readFileSync(other);
  for (const verb of [...READERS, ['meta', 'export']]) {
    const args = verb[0] === 'meta' ? [...verb, other] : [...verb, '--store', other];
    const r = await nas(args);
    assert.is(r.code, 1, `${verb.join(' ')}: ${r.stderr}`);
    assert.ok(oneLine(r.stderr), r.stderr);
    assert.match(r.stderr, /is not a nas store .* left untouched/);
  }
  const run = await nas(['run', TINY, '--store', other]);
  assert.is(run.code, 1);
  assert.match(run.stderr, /is not a nas store/);
  // the dashboard's reader too
  assert.throws(() => new StoreReader(other), /is not a nas store .* left untouched/);
  assert.ok(readFileSync(other).equals(before), 'not one byte changed');
  const check = new Database(other, { readonly: true });
  assert.is(check.pragma('journal_mode', { simple: true }), 'delete');
  assert.is(check.pragma('user_version', { simple: true }), 0);
  check.close();
});

test('a truncated, a text and a damaged store each give one line, never a stack trace', async () => {
  const dir = scratch('store-open');
  const good = await tinyStore(dir);
  const cases = {
    'text.sqlite': Buffer.from('hello\n'),
    'truncated.sqlite': readFileSync(good).subarray(0, 20_000),
    'empty-header.sqlite': readFileSync(good).subarray(0, 50),
  };
  for (const [name, bytes] of Object.entries(cases)) {
    const file = join(dir, name);
    writeFileSync(file, bytes);
    for (const verb of READERS) {
      const r = await nas([...verb, '--store', file]);
      assert.is(r.code, 1, `${verb[0]} ${name}: ${r.stderr}`);
      assert.ok(oneLine(r.stderr), `${verb[0]} ${name}: ${r.stderr}`);
      assert.match(r.stderr, /not a nas store|damaged.*sqlite3 .*\.recover.*backup/);
    }
  }
});

test('read-only commands never change a store, and can read one they may not write', async () => {
  const dir = scratch('store-open');
  const store = await tinyStore(dir);
  const before = readFileSync(store);
  const mtime = statSync(store).mtimeMs;
  chmodSync(store, 0o444);
  for (const verb of [['status'], ['best'], ['runs'], ['compare']]) {
    const r = await nas([...verb, '--store', store]);
    assert.is(r.code, 0, `${verb[0]}: ${r.stderr}`);
  }
  assert.is((await nas(['meta', 'export', store])).code, 0);
  assert.ok(readFileSync(store).equals(before));
  assert.is(statSync(store).mtimeMs, mtime);
});

test.run();
