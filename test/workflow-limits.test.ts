// Bounds on workflow files: size, aliases, keys, parallel; and `extends` never echoes another file.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { availableParallelism } from 'node:os';
import { validateWorkflowFile } from '../engine/workflow/index.js';
import { MAX_WORKFLOW_BYTES } from '../engine/workflow/limits.js';
import { FIXTURES, scratch } from './helpers/paths.js';
import { nas, nasProcess, oneLine } from './helpers/cli.js';

test('validate refuses an endless file after reading 1 MiB (/dev/zero)', () => {
  const r = nasProcess(['validate', '/dev/zero'], { timeoutMs: 20_000 });
  assert.is(r.code, 1, r.stderr);
  assert.ok(oneLine(r.stderr), r.stderr);
  assert.match(r.stderr, /\/dev\/zero:1:1: the file is larger than 1 MiB/);
});

test('a workflow over 1 MiB is refused unread', () => {
  const file = join(scratch('limits'), 'big.yaml');
  writeFileSync(file, `name: big\n# ${'x'.repeat(MAX_WORKFLOW_BYTES)}\n`);
  const problems = validateWorkflowFile(file);
  assert.equal(
    problems.map((p) => p.message),
    ['the file is larger than 1 MiB, the most a workflow may be'],
  );
});

test('50,000 keys in one mapping are checked in linear time, and at most 100 problems are listed', () => {
  const file = join(scratch('limits'), 'keys.yaml');
  let text = 'name: keys\n';
  for (let i = 0; i < 50_000; i++) text += `k${i}: 1\n`;
  text += 'k5: 2\n';
  writeFileSync(file, text);
  // the yaml package's own duplicate check took minutes on such a file (quadratic)
  const problems = validateWorkflowFile(file);
  assert.ok(problems.length <= 102, `${problems.length} problems`);
  assert.ok(problems.some((p) => /more than 100 problems/.test(p.message)));
  assert.ok(
    problems.some((p) => p.line === 50002 && p.message === 'duplicate key "k5"; remove one (YAML keys must be unique)'),
  );
});

test('extends never echoes the text of the file it names', () => {
  const dir = scratch('limits');
  writeFileSync(
    join(dir, 'secret.yaml'),
    'root:$6$SECRETHASH:19000:0\n  x: [\npassword: "hunter2"\npassword: "hunter3"\n',
  );
  writeFileSync(join(dir, 'w.yaml'), 'name: w\nextends: secret.yaml\n');
  writeFileSync(join(dir, 'v.yaml'), 'name: v\nextends: /etc/passwd\n');
  const problems = [...validateWorkflowFile(join(dir, 'w.yaml')), ...validateWorkflowFile(join(dir, 'v.yaml'))];
  assert.ok(problems.length >= 2);
  const text = JSON.stringify(problems);
  for (const secret of ['SECRETHASH', 'hunter', 'password', 'root:'])
    assert.not.ok(text.includes(secret), `${secret} in ${text}`);
  assert.match(text, /a base workflow must be a \.yaml or \.yml file/);
});

test('--parallel above 4x the cores is refused in one line', async () => {
  const r = await nas([
    'run',
    join(FIXTURES, 'engine', 'tiny-random.yaml'),
    '--parallel',
    String(4 * availableParallelism() + 1),
    '--store',
    join(scratch('limits'), 's.sqlite'),
  ]);
  assert.is(r.code, 2);
  assert.ok(oneLine(r.stderr), r.stderr);
  assert.match(r.stderr, /more than 4x this machine's \d+ cores/);
});

test.run();
