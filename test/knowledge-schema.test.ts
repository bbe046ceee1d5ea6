// Knowledge files are checked against a JSON Schema with a bound on every size: each broken file of
// test/fixtures/meta/bad-knowledge.json (a mutation of a shipped knowledge file) is one clear line.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseKnowledge } from '../engine/meta/index.js';
import { FatalError } from '../engine/core/errors.js';
import { FIXTURES, ROOT, scratch } from './helpers/paths.js';
import { nas, oneLine } from './helpers/cli.js';

interface Case {
  case: string;
  path: (string | number)[];
  value: unknown;
  expect: string;
}

const SHIPPED = join(ROOT, 'workflows', 'meta-nb201-cifar10.knowledge.json');
const original = readFileSync(SHIPPED, 'utf8');
const cases = JSON.parse(readFileSync(join(FIXTURES, 'meta', 'bad-knowledge.json'), 'utf8')) as Case[];

function mutate(c: Case): string {
  const k = JSON.parse(original) as Record<string | number, unknown>;
  let at = k;
  for (const seg of c.path.slice(0, -1)) at = at[seg] as Record<string | number, unknown>;
  at[c.path[c.path.length - 1]] = c.value;
  return JSON.stringify(k);
}

test('the shipped knowledge files are valid', () => {
  for (const f of ['meta-nb201-cifar10.knowledge.json', 'meta-digits.knowledge.json'])
    assert.ok(parseKnowledge(readFileSync(join(ROOT, 'workflows', f), 'utf8'), f).tasks.length > 0);
});

for (const c of cases) {
  test(`a knowledge file with ${c.case} is refused in one line`, () => {
    try {
      parseKnowledge(mutate(c), 'k.json');
      assert.unreachable('accepted');
    } catch (e) {
      assert.instance(e, FatalError);
      assert.ok((e as Error).message.includes(c.expect), (e as Error).message);
      assert.not.match((e as Error).message, /\n/);
    }
  });
}

test('nas meta show on a knowledge file with a huge space fails in one line, exit 1', async () => {
  const file = join(scratch('knowledge'), 'k.json');
  writeFileSync(file, mutate(cases[0]));
  const r = await nas(['meta', 'show', file]);
  assert.is(r.code, 1);
  assert.ok(oneLine(r.stderr), r.stderr);
});

test.run();
