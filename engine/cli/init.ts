// nas init [TEMPLATE] [--out FILE] [--name NAME]: starts a workflow from one of the shipped examples
// (workflows/*.yaml). Without TEMPLATE it lists them. The copy keeps the example's comments; the
// paths in it (benchmark tables, data files, knowledge files, extends) are rewritten to stay correct
// from where the copy is written.

import { readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isMap, isScalar, isSeq, parseDocument, type Document } from 'yaml';
import { line, UsageError, type Io } from './io.js';
import { didYouMean } from '../workflow/suggest.js';
import { checkWorkflowFile } from '../workflow/index.js';
import { formatProblem } from '../core/errors.js';
import { claimOutputs, makeOutputDir, writeOutput } from './output.js';

export const TEMPLATES_DIR = fileURLToPath(new URL('../../../workflows/', import.meta.url));

export function templates(dir = TEMPLATES_DIR): { name: string; file: string; about: string }[] {
  return readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()
    .map((f) => {
      const text = readFileSync(join(dir, f), 'utf8');
      // the first comment that is prose (not an editor directive such as yaml-language-server: $schema=...)
      const about = /^#(?!\s*yaml-language-server:)\s*(.+)$/m.exec(text)?.[1] ?? '';
      return { name: f.replace(/\.ya?ml$/, ''), file: join(dir, f), about };
    });
}

export function initCommand(
  template: string | undefined,
  flags: { out?: string; name?: string; json?: boolean; force?: boolean },
  io: Io,
  cwd = process.cwd(),
): number {
  const all = templates();
  if (!template) {
    if (flags.json) line(io.stdout, JSON.stringify(all.map(({ name, about }) => ({ name, about }))));
    else {
      line(io.stdout, 'templates (nas init TEMPLATE [--out FILE] [--name NAME]):');
      const w = Math.max(...all.map((t) => t.name.length));
      for (const t of all) line(io.stdout, `  ${t.name.padEnd(w)}  ${t.about}`);
    }
    return 0;
  }
  const t = all.find((x) => x.name === template || basename(x.file) === template);
  if (!t)
    throw new UsageError(
      `no template "${template}"${didYouMean(
        template,
        all.map((x) => x.name),
      )} (templates: ${all.map((x) => x.name).join(', ')})`,
    );
  const name = flags.name;
  if (name !== undefined && !/^[a-z0-9]+(-[a-z0-9]+)*$/.test(name))
    throw new UsageError(`--name must be lowercase words and dashes, got "${name}"`);
  const out = resolve(cwd, flags.out ?? `${name ?? t.name}.yaml`);
  claimOutputs([out], { force: flags.force, inputs: [t.file] });
  const doc = parseDocument(readFileSync(t.file, 'utf8'));
  rewritePaths(doc, dirname(t.file), dirname(out));
  if (name !== undefined) doc.set('name', name);
  makeOutputDir(dirname(out));
  writeOutput(out, doc.toString());
  const problems = checkWorkflowFile(out).problems;
  if (problems.length) {
    for (const p of problems) io.stderr.write(formatProblem(p) + '\n');
    return 1;
  }
  if (flags.json) line(io.stdout, JSON.stringify({ template: t.name, file: out }));
  else line(io.stdout, `wrote ${out} from template ${t.name}; run it with: nas run ${relative(cwd, out) || out}`);
  return 0;
}

/** Rewrites relative paths (relative to `from`) so they resolve the same from `to`. */
function rewritePaths(doc: Document, from: string, to: string): void {
  const move = (p: string) => (isAbsolute(p) ? p : relative(to, resolve(from, p)) || '.');
  const fix = (path: (string | number)[], transform: (v: string) => string | undefined) => {
    const node = doc.getIn(path, true);
    if (isScalar(node) && typeof node.value === 'string') {
      const v = transform(node.value);
      if (v !== undefined) node.value = v;
    }
  };
  const fixHolder = (base: (string | number)[]) => {
    fix([...base, 'evaluation', 'table'], move);
    fix([...base, 'dataset', 'source'], (v) => {
      const m = /^(csv|idx|json|audio):(.+)$/.exec(v);
      return m ? `${m[1]}:${move(m[2])}` : undefined;
    });
    const from = doc.getIn([...base, 'meta', 'from'], true);
    if (isSeq(from)) from.items.forEach((_, i) => fix([...base, 'meta', 'from', i], move));
  };
  fixHolder([]);
  fix(['extends'], move);
  const stages = doc.get('stages', true);
  if (isSeq(stages)) stages.items.forEach((st, i) => isMap(st) && fixHolder(['stages', i]));
}
