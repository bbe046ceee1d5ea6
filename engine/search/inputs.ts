// What a run depends on, recorded in the store when it starts (table run_inputs): the workflow text and
// the texts of its `extends` bases, content hashes of the dataset files and knowledge files, and the
// environment (project, tfjs packages, backend, Node, platform and CPU architecture). `nas status`
// shows them; `nas reproduce` compares them with what it finds now before rerunning.

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { sourceFiles } from '../training/datasets/index.js';
import { packageRoot } from '../training/datasets/root.js';
import { tfjsNodeAvailable } from '../evaluation/train/evaluator.js';
import type { WorkflowConfig } from '../core/workflow.js';
import type { RunInput } from '../store/store.js';

export type { RunInput } from '../store/store.js';

/** The packages whose versions can change numerics; tfjs-node is optional. */
const PACKAGES = [
  '@tensorflow/tfjs',
  '@tensorflow/tfjs-core',
  '@tensorflow/tfjs-layers',
  '@tensorflow/tfjs-backend-wasm',
  '@tensorflow/tfjs-node',
];

function sha256(bytes: Buffer | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function fileHash(file: string): string {
  try {
    return sha256(readFileSync(file));
  } catch {
    return 'missing';
  }
}

function packageVersion(name: string): string {
  try {
    const req = createRequire(join(packageRoot(), 'package.json'));
    return (JSON.parse(readFileSync(req.resolve(`${name}/package.json`), 'utf8')) as { version: string }).version;
  } catch {
    return 'not installed';
  }
}

/** The environment entries (name -> value). */
export function environment(wf: Pick<WorkflowConfig, 'evaluation'>): Record<string, string> {
  const project = JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string };
  const env: Record<string, string> = { nas: project.version };
  for (const p of PACKAGES) env[p] = packageVersion(p);
  if (wf.evaluation.type === 'train') {
    const choice = String((wf.evaluation as { backend?: string }).backend ?? 'auto');
    env.backend = choice === 'auto' ? `auto (${tfjsNodeAvailable() ? 'tensorflow' : 'wasm'})` : choice;
  }
  env.node = process.version;
  env.platform = process.platform;
  env.arch = process.arch;
  return env;
}

/** Everything `wf` depends on, read now. */
export function collectInputs(wf: WorkflowConfig): RunInput[] {
  const out: RunInput[] = [
    { kind: 'workflow', name: wf.source.file, hash: sha256(wf.source.text), value: wf.source.text },
  ];
  for (const base of wf.extends ?? []) {
    let text: string | null;
    try {
      text = readFileSync(base, 'utf8');
    } catch {
      text = null; // recorded as missing: `nas reproduce` reports it
    }
    out.push({ kind: 'extends', name: base, hash: text === null ? 'missing' : sha256(text), value: text });
  }
  if (wf.dataset)
    for (const f of sourceFiles(wf.dataset.source))
      out.push({ kind: 'dataset', name: f, hash: fileHash(f), value: null });
  for (const f of wf.meta?.from ?? []) out.push({ kind: 'knowledge', name: f, hash: fileHash(f), value: null });
  for (const [name, value] of Object.entries(environment(wf))) out.push({ kind: 'env', name, hash: null, value });
  return out;
}

/** One line per recorded input that differs now ("dataset FILE changed", "env node: v20.1 -> v22.0"). */
export function inputChanges(recorded: readonly RunInput[], now: readonly RunInput[]): string[] {
  const key = (i: RunInput) => `${i.kind}\u0000${i.name}`;
  const current = new Map(now.map((i) => [key(i), i]));
  const out: string[] = [];
  for (const r of recorded) {
    if (r.kind === 'workflow' || r.kind === 'extends') continue; // the rerun uses the recorded texts
    const c = current.get(key(r));
    if (r.kind === 'env') {
      const v = c?.value ?? 'absent';
      if (v !== r.value) out.push(`environment ${r.name}: ${r.value} recorded, ${v} now`);
    } else if (!c || c.hash !== r.hash) {
      out.push(
        `${r.kind} ${r.name} ${c?.hash === 'missing' || !c ? 'is missing now' : 'changed'} (sha256 ${short(r.hash)} recorded, ${short(c?.hash ?? 'missing')} now)`,
      );
    }
  }
  return out;
}

function short(h: string | null): string {
  return h && h.length > 12 ? h.slice(0, 12) : String(h);
}
