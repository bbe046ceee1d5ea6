// The knowledge base: earlier runs (from stores) and knowledge files (from `nas meta export`), reduced
// to TaskKnowledge — the task descriptor, the space, and the complete trials best first.

import { closeSync, openSync, readFileSync, readSync, statSync, writeFileSync } from 'node:fs';
import { FatalError } from '../core/errors.js';
import { Store } from '../store/store.js';
import { createSpace } from '../space/index.js';
import { valueKey } from '../space/tree.js';
import { objectiveScore, type Objective } from '../core/types.js';
import type { SpaceConfig, WorkflowConfig } from '../core/workflow.js';
import { stageWorkflow } from '../core/stages.js';
import { isSupernetTrial } from '../core/trial.js';
import { describeTask } from './task.js';
import { compileSchema, schemaIssues } from '../workflow/schema-issues.js';
import { KNOWLEDGE_LIMITS, knowledgeSchema } from './knowledge-schema.js';
import {
  KNOWLEDGE_FORMAT,
  KNOWLEDGE_VERSION,
  type KnowledgeFile,
  type KnownTrial,
  type TaskDescriptor,
  type TaskKnowledge,
} from './types.js';

/** Decision name -> canonical choice values of a space config. */
export function decisionsOf(space: SpaceConfig): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const d of createSpace(space).decisions()) out[d.name] = d.choices.map(valueKey);
  return out;
}

function isSqlite(path: string): boolean {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(16);
    const n = readSync(fd, buf, 0, 16, 0);
    return n === 16 && buf.toString('latin1') === 'SQLite format 3\u0000';
  } finally {
    closeSync(fd);
  }
}

export interface ReadOptions {
  /** Only these run ids of a store (default: every run with complete trials). */
  runs?: number[];
  /** Multi-stage runs: a task from the final stage's trials (default, the run's result), or one per stage. */
  stages?: 'final' | 'all';
  /** Runs with fewer complete trials are skipped (default 1). */
  minTrials?: number;
}

/** Every run of a store that has complete trials, as TaskKnowledge. */
export function readStore(path: string, opts: ReadOptions = {}): TaskKnowledge[] {
  let store: Store;
  try {
    store = Store.open(path, 'read');
  } catch (e) {
    throw new FatalError(`cannot read knowledge from ${path}: ${(e as Error).message}`);
  }
  try {
    const out: TaskKnowledge[] = [];
    for (const run of store.listRuns()) {
      if (opts.runs && !opts.runs.includes(run.id)) continue;
      const config = run.config as unknown as WorkflowConfig;
      if (!config?.space || !config.objective || !config.evaluation) continue;
      for (const { stage, wf } of searchesOf(config, opts.stages ?? 'final')) {
        const all = store.trials(run.id, stage).filter((t) => !isSupernetTrial(t));
        const trials = knownTrials(wf.objective, all);
        if (trials.length < (opts.minTrials ?? 1)) continue;
        let task: TaskDescriptor;
        try {
          task = describeTask(wf);
        } catch {
          // the dataset is gone: keep what can be said without it
          task = { kind: 'other', evaluation: String(wf.evaluation.type) };
        }
        out.push({
          id: stage ? `${path}#${run.id}/${stage}` : `${path}#${run.id}`,
          name: stage ? `${run.name}/${stage}` : run.name,
          task,
          space: wf.space,
          decisions: decisionsOf(wf.space),
          objective: wf.objective,
          trials,
          evaluated: all.filter((t) => t.state !== 'running').length,
        });
      }
    }
    return out;
  } finally {
    store.close();
  }
}

/** The searches of a run as (stage, workflow): the run itself, or its final stage, or every stage. */
function searchesOf(wf: WorkflowConfig, which: 'final' | 'all'): { stage: string; wf: WorkflowConfig }[] {
  const stages = wf.stages ?? [];
  if (stages.length === 0) return [{ stage: '', wf }];
  const chosen = which === 'all' ? stages : stages.slice(-1);
  return chosen.map((st) => ({ stage: st.name, wf: stageWorkflow(wf, st) }));
}

function knownTrials(objective: Objective, trials: ReturnType<Store['trials']>): KnownTrial[] {
  const out: KnownTrial[] = [];
  for (const t of trials) {
    if (t.state !== 'complete') continue;
    const score = objectiveScore(objective, t.metrics);
    if (score === null) continue;
    out.push({ key: t.key, arch: t.arch, score, metrics: t.metrics });
  }
  return out.sort((a, b) => b.score - a.score);
}

/** Where JSON.parse gave up, as line:column, without quoting the text. */
function jsonErrorPlace(text: string, e: Error): string {
  if (/end of JSON input/.test(e.message)) return 'it ends too early';
  const token = /Unexpected token '(.)'|Unexpected (non-whitespace character|character)/.exec(e.message);
  const at = Number(/position (\d+)/.exec(e.message)?.[1] ?? NaN);
  if (Number.isFinite(at)) {
    const before = text.slice(0, at).split('\n');
    return `unexpected text at line ${before.length}, column ${before[before.length - 1].length + 1}`;
  }
  return token ? 'unexpected text' : 'malformed';
}

/** Parses and checks a knowledge file's JSON. */
export function parseKnowledge(text: string, path = 'knowledge'): KnowledgeFile {
  let j: unknown;
  try {
    j = JSON.parse(text);
  } catch (e) {
    // V8's message quotes the text around the error (multi-line, and possibly not ours to show)
    throw new FatalError(`${path}: not a store and not valid JSON (${jsonErrorPlace(text, e as Error)})`);
  }
  const k = j as Partial<KnowledgeFile> | null;
  if (!k || typeof k !== 'object' || Array.isArray(k) || k.format !== KNOWLEDGE_FORMAT)
    throw new FatalError(`${path}: not a nas knowledge file (format is not "${KNOWLEDGE_FORMAT}")`);
  if (!Number.isInteger(k.version) || (k.version as number) < 1)
    throw new FatalError(`${path}: version must be an integer >= 1, got ${JSON.stringify(k.version) ?? 'nothing'}`);
  if ((k.version as number) > KNOWLEDGE_VERSION) {
    throw new FatalError(
      `${path}: knowledge file version ${String(k.version)} is newer than this nas reads (${KNOWLEDGE_VERSION})`,
    );
  }
  const issues = schemaIssues(compileSchema(knowledgeSchema()), k);
  if (issues.length > 0) {
    const more = issues.length > 1 ? ` (and ${issues.length - 1} more problem(s))` : '';
    throw new FatalError(`${path}: not a valid knowledge file: ${issues[0].message}${more}`);
  }
  const file = k as KnowledgeFile;
  for (const [i, t] of file.tasks.entries()) {
    try {
      t.decisions ??= decisionsOf(t.space);
    } catch (e) {
      throw new FatalError(`${path}: task ${i} has a space nas cannot build: ${(e as Error).message}`);
    }
    t.id ??= `${path}#${i}`;
    t.name ??= t.id;
    t.evaluated ??= t.trials.length;
    t.trials = [...t.trials].sort((a, b) => b.score - a.score);
  }
  return file;
}

/** A knowledge file's text, refused beyond KNOWLEDGE_LIMITS.bytes before it is read. */
function readKnowledgeText(path: string): string {
  let size: number;
  try {
    const st = statSync(path);
    if (!st.isFile()) throw new Error('not a file');
    size = st.size;
  } catch (e) {
    throw new FatalError(`cannot read knowledge from ${path}: ${(e as Error).message}`);
  }
  if (size > KNOWLEDGE_LIMITS.bytes)
    throw new FatalError(
      `${path}: a knowledge file of ${size} bytes is larger than the ${KNOWLEDGE_LIMITS.bytes / 2 ** 20} MiB allowed; export fewer trials (nas meta export --top K)`,
    );
  return readFileSync(path, 'utf8');
}

/** Reads stores and knowledge files; a file is a store when it starts with the SQLite header. */
export function loadKnowledge(paths: readonly string[], opts: ReadOptions = {}): TaskKnowledge[] {
  const out: TaskKnowledge[] = [];
  for (const p of paths) {
    let sqlite: boolean;
    try {
      sqlite = isSqlite(p);
    } catch (e) {
      throw new FatalError(`cannot read knowledge from ${p}: ${(e as Error).message}`);
    }
    if (sqlite) for (const t of readStore(p, opts)) out.push(t);
    else for (const t of parseKnowledge(readKnowledgeText(p), p).tasks) out.push(t);
  }
  return out;
}

export interface ExportOptions extends ReadOptions {
  /** Keep only the best N trials of each task (default: all). */
  top?: number;
}

/** A knowledge file (plain JSON with a version) from stores and/or other knowledge files. */
export function exportKnowledge(paths: readonly string[], opts: ExportOptions = {}): KnowledgeFile {
  const tasks = loadKnowledge(paths, opts).map((t) => (opts.top ? { ...t, trials: t.trials.slice(0, opts.top) } : t));
  return { format: KNOWLEDGE_FORMAT, version: KNOWLEDGE_VERSION, created: new Date().toISOString(), tasks };
}

export function writeKnowledge(path: string, k: KnowledgeFile): void {
  writeFileSync(path, JSON.stringify(k) + '\n');
}
