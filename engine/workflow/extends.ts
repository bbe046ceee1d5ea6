// `extends: base.yaml`: a workflow builds on another file (recursively). The files are deep-merged,
// the extending file winning: mappings merge key by key, lists and scalars replace. Paths inside a base
// file stay relative to that base file. Problems point into the file that set the offending value.

import { dirname, isAbsolute, join, resolve } from 'node:path';
import type { WorkflowProblem } from '../core/errors.js';
import type { Registries } from './registries.js';
import { type DataPath, type Issue, WorkflowSource } from './source.js';
import { readWorkflowText } from './read.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** `over` merged onto `base` (new objects; neither input is changed): mappings merge, the rest replaces. */
export function deepMerge(base: unknown, over: unknown): unknown {
  if (isObj(base) && isObj(over)) {
    const out: Obj = structuredClone(base);
    for (const [k, v] of Object.entries(over)) out[k] = k in base ? deepMerge(base[k], v) : structuredClone(v);
    return out;
  }
  return structuredClone(over);
}

export interface SourceLayer {
  file: string;
  source: WorkflowSource;
}

/** The files a workflow is made of, the extending file first: finds which file set a value. */
export class SourceChain {
  constructor(readonly layers: SourceLayer[]) {}

  get files(): string[] {
    return this.layers.map((l) => l.file);
  }

  /** Whether any of the files sets the value at `path`. */
  has(path: DataPath): boolean {
    return this.layers.some((l) => l.source.has(path));
  }

  /** The file and place of an issue: the first file (extending file first) that sets its path. */
  locate(issue: Issue): { file: string; line: number; col: number } {
    if (issue.at !== 'missing') {
      for (const l of this.layers) if (l.source.has(issue.path)) return { file: l.file, ...l.source.locate(issue) };
      if (issue.at === 'key') {
        for (const l of this.layers)
          if (l.source.has(issue.path.slice(0, -1))) return { file: l.file, ...l.source.locate(issue) };
      }
    }
    const first = this.layers[0];
    return { file: first.file, ...first.source.locate(issue) };
  }
}

export interface Extended {
  /** The merged data (without `extends`), or undefined when a base could not be read. */
  data?: Obj;
  chain: SourceChain;
  /** Absolute paths of the base files, nearest first. */
  bases: string[];
  /** Texts of the base files (part of the run's identity). */
  texts: string[];
  problems: WorkflowProblem[];
}

/**
 * Follows `extends` from the workflow `file` (already parsed as `source`/`data`). `file` is how problems
 * name the file; base files are named by the path as written, resolved against the extending file.
 */
export function resolveExtends(file: string, source: WorkflowSource, data: Obj, registries: Registries): Extended {
  const layers: SourceLayer[] = [{ file, source }];
  const datas: Obj[] = [data];
  const problems: WorkflowProblem[] = [];
  const bases: string[] = [];
  const texts: string[] = [];
  const seen = [resolve(file)];
  let cur = { file, source, data };
  while (typeof cur.data.extends === 'string') {
    const ref = cur.data.extends;
    const at = (message: string): WorkflowProblem => ({
      file: cur.file,
      ...cur.source.locate({ path: ['extends'], at: 'value', message }),
      message,
    });
    const abs = resolve(dirname(resolve(cur.file)), ref);
    if (seen.includes(abs)) {
      problems.push(at(`extends "${ref}" makes a cycle (${[...seen, abs].join(' -> ')})`));
      break;
    }
    // A base is a workflow: never echo what another kind of file holds (`extends: /etc/shadow`).
    if (!/\.ya?ml$/i.test(abs)) {
      problems.push(at(`extends "${ref}": a base workflow must be a .yaml or .yml file`));
      break;
    }
    const read = readWorkflowText(abs);
    if ('problem' in read) {
      const why = read.code === 'ENOENT' ? 'not found' : read.problem;
      problems.push(
        at(`extends: file "${ref}" ${why} (paths are relative to the workflow file: ${dirname(resolve(cur.file))})`),
      );
      break;
    }
    const text = read.text;
    // Name the base as the user wrote it, relative to where the extending file is named.
    const shown = isAbsolute(ref) ? ref : join(dirname(cur.file), ref);
    const src = new WorkflowSource(text, { quiet: true });
    problems.push(...src.yamlIssues.map((y) => ({ file: shown, ...y })));
    if (!src.usable) break;
    const d = src.data();
    if (!isObj(d)) {
      problems.push(at(`extends "${ref}": that file is not a workflow (a mapping of keys)`));
      break;
    }
    absolutizePaths(d, dirname(abs), registries);
    seen.push(abs);
    bases.push(abs);
    texts.push(text);
    layers.push({ file: shown, source: src });
    datas.push(d);
    cur = { file: shown, source: src, data: d };
  }
  if (cur.data.extends !== undefined && typeof cur.data.extends !== 'string' && cur !== layers[0]) {
    const message = 'extends must be a file path, relative to the workflow file';
    problems.push({ file: cur.file, ...cur.source.locate({ path: ['extends'], at: 'value', message }), message });
  }
  const chain = new SourceChain(layers);
  if (problems.length) return { chain, bases, texts, problems };
  let merged: Obj = {};
  for (let i = datas.length - 1; i >= 0; i--) {
    const { extends: _e, ...rest } = datas[i];
    merged = deepMerge(merged, rest) as Obj;
  }
  return { data: merged, chain, bases, texts, problems };
}

/** Makes the file paths of a base workflow absolute (they are relative to the base file). */
export function absolutizePaths(data: Obj, dir: string, registries: Registries): void {
  const fix = (holder: Obj) => {
    const ds = holder.dataset;
    if (isObj(ds) && typeof ds.source === 'string') {
      const m = /^(csv|idx|json):(.+)$/.exec(ds.source);
      if (m) ds.source = `${m[1]}:${resolve(dir, m[2])}`;
    }
    const meta = holder.meta;
    if (isObj(meta) && Array.isArray(meta.from))
      meta.from = meta.from.map((f) => (typeof f === 'string' ? resolve(dir, f) : f));
    for (const [section, entries] of [
      ['strategy', registries.strategies],
      ['evaluation', registries.evaluators],
    ] as const) {
      const sec = holder[section];
      if (!isObj(sec) || typeof sec.type !== 'string') continue;
      const def = (entries as readonly { type: string; optionsSchema: object }[]).find((e) => e.type === sec.type);
      if (def) fixPaths(def.optionsSchema, sec, dir);
    }
  };
  fix(data);
  if (Array.isArray(data.stages)) for (const st of data.stages) if (isObj(st)) fix(st);
}

function fixPaths(schema: unknown, value: unknown, dir: string): void {
  if (!isObj(schema) || !isObj(value) || !isObj(schema.properties)) return;
  for (const [k, sub] of Object.entries(schema.properties)) {
    if (!(k in value)) continue;
    if (isObj(sub) && sub['x-path'] === 'file' && typeof value[k] === 'string')
      value[k] = resolve(dir, value[k] as string);
    else if (isObj(sub) && isObj(sub.items) && sub.items['x-path'] === 'file' && Array.isArray(value[k])) {
      value[k] = (value[k] as unknown[]).map((f) => (typeof f === 'string' ? resolve(dir, f) : f));
    } else fixPaths(sub, value[k], dir);
  }
}
