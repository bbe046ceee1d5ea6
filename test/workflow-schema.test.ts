// The published workflow schema and the `validate` command.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import { parse } from 'yaml';
import { validateCommand } from '../engine/cli/validate.js';
import { buildWorkflowSchema } from '../engine/workflow/schema.js';
import { SCHEMA_FILE, schemaText } from '../engine/workflow/write-schema.js';
import { registries } from './workflow-registries.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const FIXTURES = join(ROOT, 'test/fixtures/workflows');

test('workflows/workflow.schema.json is up to date (node dist/engine/workflow/write-schema.js)', () => {
  assert.ok(existsSync(SCHEMA_FILE), 'missing: run node dist/engine/workflow/write-schema.js');
  assert.fixture(readFileSync(SCHEMA_FILE, 'utf8'), schemaText());
});

test('the schema is assembled from the registries given', () => {
  const reg = registries();
  const extra = {
    type: 'my-search',
    description: 'test entry',
    optionsSchema: { type: 'object', additionalProperties: false, properties: { depth: { type: 'integer' } } },
  };
  const schema = buildWorkflowSchema({ ...reg, strategies: [...reg.strategies, extra] });
  const strategy = (schema.properties as Record<string, { properties: { type: { enum: string[] } }; allOf: unknown[] }>)
    .strategy;
  assert.ok(strategy.properties.type.enum.includes('my-search'));
  assert.ok(JSON.stringify(strategy.allOf).includes('"depth"'));
});

test('editors accept the valid fixtures against the published schema (draft-07, strict)', () => {
  const ajv = new Ajv({ allErrors: true, strictTypes: false, strictTuples: false, keywords: ['x-path', 'x-expect'] });
  const validate = ajv.compile(JSON.parse(schemaText(registries())) as object);
  for (const f of readdirSync(join(FIXTURES, 'valid')).filter((n) => n.endsWith('.yaml'))) {
    const ok = validate(parse(readFileSync(join(FIXTURES, 'valid', f), 'utf8'), { merge: true }));
    assert.ok(ok, `${f}: ${ajv.errorsText(validate.errors)}`);
  }
  // a section is needed at top level or in every stage
  const wf = { name: 'x', space: { kind: 'cell', preset: 'nb201' }, strategy: { type: 'random' } };
  assert.not.ok(validate(wf), 'no evaluation anywhere');
  const ev = { type: 'benchmark', table: 't.csv', metric: 'm' };
  assert.not.ok(validate({ ...wf, stages: [{ name: 'a', evaluation: ev }, { name: 'b' }] }), 'one stage lacks it');
  assert.ok(
    validate({
      ...wf,
      stages: [
        { name: 'a', evaluation: ev },
        { name: 'b', evaluation: ev },
      ],
    }),
  );
});

function capture() {
  const out = { stdout: '', stderr: '' };
  const io = {
    stdout: { write: (s: string) => (out.stdout += s) },
    stderr: { write: (s: string) => (out.stderr += s) },
  };
  return { out, io };
}

test('validate: ok files exit 0, every problem of every file otherwise, paths as given', async () => {
  const valid = relative(process.cwd(), join(FIXTURES, 'valid/minimal.yaml'));
  const bad = relative(process.cwd(), join(FIXTURES, 'invalid/unknown-strategy-option.yaml'));
  const many = relative(process.cwd(), join(FIXTURES, 'many-problems.yaml'));
  const ok = capture();
  assert.is(await validateCommand([valid], ok.io, { registries: registries() }), 0);
  assert.is(ok.out.stdout, `${valid}: ok\n`);
  assert.is(ok.out.stderr, '');

  const ko = capture();
  assert.is(await validateCommand([valid, bad, many], ko.io, { registries: registries() }), 1);
  assert.is(ko.out.stdout, `${valid}: ok\n`);
  const lines = ko.out.stderr.trimEnd().split('\n');
  assert.is(lines[0], `${bad}:4:42: unknown key "strategy.populaton"; did you mean "population"?`);
  assert.is(lines.length, 1 + 18);
  for (const l of lines.slice(1)) assert.ok(l.startsWith(`${many}:`), l);
});

const CLI = join(ROOT, 'dist/engine/cli/main.js');
test('nas validate (the real command): exit 1, problems, no stack trace', () => {
  if (!existsSync(CLI)) return console.log('  (skipped: dist/engine/cli/main.js does not exist yet)');
  const file = relative(ROOT, join(FIXTURES, 'invalid/unknown-top-level-key.yaml'));
  const r = spawnSync(process.execPath, ['bin/nas.js', 'validate', file], { cwd: ROOT, encoding: 'utf8' });
  assert.is(r.status, 1, r.stderr);
  assert.is(r.stderr.trim(), `${file}:6:1: unknown key "budgte"; did you mean "budget"?`);
  assert.not.match(r.stderr, /^\s+at /m);
});

test.run();
