// nas init --from-data SOURCE [--out FILE] [--name NAME]: a workflow for a dataset with the default
// space of its kind of input written out (engine/workflow/default-space.ts), to edit; the rest is a
// quickstart-sized search (10 trials) that the defaults are sized for.

import { basename, dirname, isAbsolute, relative, resolve } from 'node:path';
import { readableYaml } from './yaml-out.js';
import { formatProblem } from '../core/errors.js';
import type { JsonObject } from '../core/types.js';
import { loadDataset } from '../training/datasets/index.js';
import { defaultSpaceFor, tokensSpace, type InputKind } from '../workflow/default-space.js';
import { checkWorkflowFile } from '../workflow/index.js';
import { line, UsageError, type Io } from './io.js';
import { claimOutputs, makeOutputDir, writeOutput } from './output.js';

const EPOCHS: Record<InputKind, number> = {
  image: 3,
  audio: 10,
  table: 30,
  'categorical-table': 30,
  tokens: 3,
};

export function initFromData(
  source: string,
  flags: { out?: string; name?: string; json?: boolean; force?: boolean },
  io: Io,
  cwd = process.cwd(),
): number {
  const m = /^(csv|idx|json|audio):(.+)$/.exec(source);
  if (!m && !source.startsWith('builtin:'))
    throw new UsageError(`--from-data takes builtin:NAME, csv:PATH, idx:PATH, json:PATH or audio:DIR, got "${source}"`);
  const abs = m ? `${m[1]}:${resolve(cwd, m[2])}` : source;
  const stem = (m ? basename(m[2]).replace(/\.[^.]+$/, '') : source.slice('builtin:'.length)).toLowerCase();
  const name = flags.name ?? (stem.replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '') || 'from-data');
  if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(name))
    throw new UsageError(`--name must be lowercase words and dashes, got "${name}"`);
  const out = resolve(cwd, flags.out ?? `${name}.yaml`);
  claimOutputs([out], { inputs: m ? [resolve(cwd, m[2])] : [], force: flags.force });
  // builtin:spam is text: its samples are token ids, so its space needs no look at the corpus
  const ds =
    source === 'builtin:spam' ? undefined : loadDataset({ source: abs, label: 'label', split: { validation: 0.2 } });
  const { kind, space } = ds ? defaultSpaceFor(ds) : tokensSpace(200);
  const rel = (p: string) => (isAbsolute(p) ? relative(dirname(out), p) || '.' : p);
  const wf: JsonObject = {
    name,
    seed: 1,
    objective: { metric: ds?.task === 'regression' ? 'r2' : 'accuracy' },
    dataset: { source: m ? `${m[1]}:${rel(resolve(cwd, m[2]))}` : source, split: { validation: 0.2 } },
    space,
    strategy: { type: 'regularized-evolution', population: 8, sample: 3 },
    evaluation: {
      type: 'train',
      epochs: EPOCHS[kind],
      ...(kind === 'audio' ? { head: 'flatten' } : {}),
      early_stopping: { rule: 'median', min_epochs: Math.max(1, Math.floor(EPOCHS[kind] / 3)) },
    },
    budget: { trials: 10, time: '10m' },
    parallel: 2,
  };
  const header =
    `# Written by nas init --from-data ${source}: the default space for ${kind} input ` +
    `(${ds ? `${ds.n} samples of shape [${ds.featureShape.join(', ')}], ${ds.task}` : 'text, 200 token ids a sample'}), to edit.\n`;
  makeOutputDir(dirname(out));
  writeOutput(out, header + readableYaml(wf));
  const problems = checkWorkflowFile(out).problems;
  if (problems.length) {
    for (const p of problems) io.stderr.write(formatProblem(p) + '\n');
    return 1;
  }
  if (flags.json) line(io.stdout, JSON.stringify({ from: source, kind, file: out }));
  else
    line(
      io.stdout,
      `wrote ${out} (default space for ${kind} input); run it with: nas run ${relative(cwd, out) || out}`,
    );
  return 0;
}
