// Fuzzing the inputs a user hands nas: workflow texts and knowledge files, mutated from the repo's
// valid ones (text edits, and values replaced anywhere in the parsed structure). Every input must end
// as "valid" or as problems of one line each (exit 0, or exit 1/2 with one line per problem): never an
// exception, a stack trace, more than 10 s or more than 1 GB. Most inputs run in this process (the
// validator and the knowledge parser are the code under test); a sample goes through the real CLI.
//
// fast-check with a fixed seed in CI; NAS_FUZZ_SEED=random (or a number) and NAS_FUZZ_RUNS=N on request:
//   NAS_FUZZ_SEED=random node dist/test/fuzz.test.js

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { checkWorkflowText } from '../engine/workflow/index.js';
import { parseKnowledge } from '../engine/meta/index.js';
import { FatalError } from '../engine/core/errors.js';
import { FIXTURES, ROOT, scratch } from './helpers/paths.js';
import { nasProcess } from './helpers/cli.js';

const SEED = process.env.NAS_FUZZ_SEED === 'random' ? Date.now() % 2 ** 31 : Number(process.env.NAS_FUZZ_SEED ?? 22);
const RUNS = Number(process.env.NAS_FUZZ_RUNS ?? 2000);
const WORKFLOW_RUNS = Math.round(RUNS * 0.7);
const KNOWLEDGE_RUNS = RUNS - WORKFLOW_RUNS;
/** Every how many inputs one goes through the real command line as well. */
const SPAWN_EVERY = 200;
const MAX_MS = 10_000;
const MAX_RSS = 1024 * 1024 * 1024;
process.stdout.write(`fuzz seed ${SEED}, ${RUNS} inputs (rerun with NAS_FUZZ_SEED=${SEED})\n`);

interface Sample {
  file: string;
  text: string;
}

function corpus(dir: string, pattern: RegExp): Sample[] {
  return readdirSync(dir)
    .filter((f) => pattern.test(f))
    .sort()
    .map((f) => ({ file: join(dir, f), text: readFileSync(join(dir, f), 'utf8') }));
}

const WORKFLOWS = [
  ...corpus(join(ROOT, 'workflows'), /\.ya?ml$/),
  ...corpus(join(FIXTURES, 'workflows', 'valid'), /\.ya?ml$/),
];
const KNOWLEDGE = corpus(join(ROOT, 'workflows'), /\.knowledge\.json$/);

/** Text that means something to YAML or to our checks. */
const TOKENS = [
  ': ',
  '{',
  '}',
  '[',
  ']',
  ',',
  '- ',
  '\n',
  '\n  ',
  '\t',
  '"',
  "'",
  '#',
  '&a ',
  '*a',
  '<<: *a\n',
  '!!binary ',
  '!!js/function ',
  '? ',
  '|\n',
  '>-\n',
  '%YAML 1.1\n',
  '---\n',
  '...\n',
  'null',
  '~',
  '-1',
  '0',
  '1e309',
  '4294967296',
  '1000000',
  '.nan',
  'true',
  'extends: ../../../etc/passwd\n',
  'extends: /dev/zero.yaml\n',
  'stages: [{name: a}]\n',
  'space: { kind: cell, nodes: 1000000 }\n',
  'parallel: 1000\n',
  '\u0000',
  '\ufeff',
  '\u2028',
  'é',
];

const edit = fc.oneof(
  fc.record({ op: fc.constant('insert' as const), at: fc.nat(), s: fc.oneof(fc.constantFrom(...TOKENS), fc.string()) }),
  fc.record({ op: fc.constant('delete' as const), at: fc.nat(), len: fc.integer({ min: 1, max: 40 }) }),
  fc.record({ op: fc.constant('duplicate-line' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('truncate' as const), at: fc.nat() }),
);
type Edit = typeof edit extends fc.Arbitrary<infer T> ? T : never;

function applyEdits(text: string, edits: Edit[]): string {
  let t = text;
  for (const e of edits) {
    const at = t.length === 0 ? 0 : e.at % (t.length + 1);
    if (e.op === 'insert') t = t.slice(0, at) + e.s + t.slice(at);
    else if (e.op === 'delete') t = t.slice(0, at) + t.slice(at + e.len);
    else if (e.op === 'truncate') t = t.slice(0, at);
    else {
      const lines = t.split('\n');
      const i = e.at % lines.length;
      lines.splice(i, 0, lines[i]);
      t = lines.join('\n');
    }
  }
  return t;
}

/** Every path to a value inside `v` (objects and arrays), the root included. */
function paths(v: unknown, prefix: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  out.push(prefix);
  if (out.length > 5000) return out;
  if (Array.isArray(v)) v.forEach((x, i) => paths(x, [...prefix, i], out));
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) paths(x, [...prefix, k], out);
  return out;
}

/** Values that are wrong in interesting ways. */
const oddValue = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }),
  fc.constantFrom(null, -1, 0, 1.5, 2 ** 32, 1e12, -1e12, '', 'x'.repeat(2000), [], {}, [null], { kind: 'cell' }),
);

/** Replaces (or deletes, with undefined) the value at one path of a parsed structure. */
function replaceAt(data: unknown, pick: number, value: unknown): unknown {
  const all = paths(data);
  const path = all[pick % all.length];
  if (path.length === 0) return value;
  const copy = structuredClone(data) as Record<string | number, unknown>;
  let at = copy;
  for (const seg of path.slice(0, -1)) at = at[seg] as Record<string | number, unknown>;
  if (value === undefined) delete at[path[path.length - 1]];
  else at[path[path.length - 1]] = value;
  return copy;
}

const workflowInput = fc.oneof(
  fc.tuple(fc.nat(), fc.array(edit, { minLength: 1, maxLength: 6 })).map(([i, edits]) => ({
    base: WORKFLOWS[i % WORKFLOWS.length],
    text: applyEdits(WORKFLOWS[i % WORKFLOWS.length].text, edits),
  })),
  fc.tuple(fc.nat(), fc.nat(), fc.option(oddValue, { nil: undefined })).map(([i, p, v]) => {
    const base = WORKFLOWS[i % WORKFLOWS.length];
    return { base, text: stringify(replaceAt(parse(base.text, { merge: true }), p, v)) ?? '' };
  }),
);

const knowledgeInput = fc.oneof(
  fc
    .tuple(fc.nat(), fc.array(edit, { minLength: 1, maxLength: 4 }))
    .map(([i, edits]) => applyEdits(KNOWLEDGE[i % KNOWLEDGE.length].text, edits)),
  fc
    .tuple(
      fc.nat(),
      fc.array(fc.tuple(fc.nat(), fc.option(oddValue, { nil: undefined })), { minLength: 1, maxLength: 3 }),
    )
    .map(([i, changes]) => {
      let data: unknown = JSON.parse(KNOWLEDGE[i % KNOWLEDGE.length].text);
      for (const [p, v] of changes) data = replaceAt(data, p, v);
      return JSON.stringify(data) ?? '';
    }),
);

/** Runs `fn` and checks the bounds every input must stay within. */
function bounded<T>(what: string, fn: () => T): T {
  const t0 = Date.now();
  const out = fn();
  const ms = Date.now() - t0;
  assert.ok(ms < MAX_MS, `${what} took ${ms} ms`);
  assert.ok(process.memoryUsage().rss < MAX_RSS, `${what}: rss ${process.memoryUsage().rss}`);
  return out;
}

/** The CLI's promise: exit 0, or exit 1/2 with every stderr line a message (no stack trace). */
function assertCliContract(args: string[], lines: RegExp): void {
  const r = nasProcess(args, { timeoutMs: MAX_MS + 5_000 });
  assert.ok(r.code === 0 || r.code === 1 || r.code === 2, `exit ${r.code} for nas ${args.join(' ')}: ${r.stderr}`);
  assert.not.match(r.stderr, /^\s+at |internal error|Error: /m, r.stderr);
  if (r.code !== 0) {
    const out = r.stderr.trimEnd().split('\n');
    assert.ok(out.length >= 1 && out.every((l) => lines.test(l)), r.stderr);
  }
}

const dir = scratch('fuzz');
let spawned = 0;

test(`${WORKFLOW_RUNS} mutated workflows: valid, or problems of one line each`, () => {
  let n = 0;
  fc.assert(
    fc.property(workflowInput, ({ base, text }) => {
      const r = bounded('validate', () => checkWorkflowText(text, base.file));
      if (!r.config) {
        assert.ok(r.problems.length > 0);
        for (const p of r.problems) {
          assert.ok(p.line >= 1 && p.col >= 1, JSON.stringify(p));
          assert.not.match(p.message, /\n/, p.message);
          assert.ok(p.message.length > 0);
        }
      }
      if (++n % SPAWN_EVERY === 0) {
        const file = join(dir, `w${n}.yaml`);
        writeFileSync(file, text);
        assertCliContract(['validate', file], /^.+:\d+:\d+: .+|^nas: .+/);
        spawned++;
      }
    }),
    { seed: SEED, numRuns: WORKFLOW_RUNS },
  );
});

test(`${KNOWLEDGE_RUNS} mutated knowledge files: read, or refused in one line`, () => {
  let n = 0;
  fc.assert(
    fc.property(knowledgeInput, (text) => {
      bounded('parseKnowledge', () => {
        try {
          parseKnowledge(text, 'k.json');
        } catch (e) {
          assert.instance(e, FatalError, String((e as Error).stack));
          assert.not.match((e as Error).message, /\n/, (e as Error).message);
        }
      });
      if (++n % SPAWN_EVERY === 0) {
        const file = join(dir, `k${n}.json`);
        writeFileSync(file, text);
        assertCliContract(['meta', 'show', file], /^nas: .+/);
        spawned++;
      }
    }),
    { seed: SEED + 1, numRuns: KNOWLEDGE_RUNS },
  );
  assert.ok(spawned >= Math.floor(RUNS / SPAWN_EVERY) - 1, `${spawned} inputs through the CLI`);
});

test.run();
