// Benchmark `meta` part 2 (real data): a digits run (made by the engine, workflows/meta-digits-source.yaml)
// is the knowledge for a search on builtin:mnist (workflows/meta-mnist-from-digits.yaml). The search runs
// without and with `meta`, same seed and budget; the figure is the number of trainings each needed to
// reach the no-meta run's best accuracy (trials in the order they were proposed).
//   npm run bench -- meta real [--trials N]

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadWorkflow } from '../../engine/workflow/index.js';
import { Store } from '../../engine/store/store.js';
import { startRun } from '../../engine/search/run.js';
import type { WorkflowConfig } from '../../engine/core/workflow.js';
import type { Emit } from './run.js';
import { flag, repoRoot } from './util.js';

async function run(path: string, wf: WorkflowConfig) {
  const store = Store.open(path);
  try {
    const t0 = performance.now();
    const s = await startRun(store, wf);
    if (s.status === 'failed') throw new Error(`${wf.name}: ${s.reason}`);
    const trials = store.trials(s.run, '').sort((a, b) => a.number - b.number);
    return { trials, seconds: Math.round((performance.now() - t0) / 100) / 10 };
  } finally {
    store.close();
  }
}

function toReach(trials: { number: number; metrics: Record<string, number> }[], target: number): number | null {
  for (const t of trials) if ((t.metrics.accuracy ?? -1) >= target) return t.number;
  return null;
}

export default async function metaReal(emit: Emit, args: string[]): Promise<void> {
  const trials = flag(args, 'trials', 20);
  const dir = mkdtempSync(join(tmpdir(), 'nas-meta-real-'));
  try {
    const srcWf = loadWorkflow(join(repoRoot(), 'workflows', 'meta-digits-source.yaml'));
    const src = await run(join(dir, 'digits.sqlite'), srcWf);
    emit({
      real: 'source',
      dataset: 'builtin:digits',
      trainings: src.trials.length,
      best: Math.max(...src.trials.map((t) => t.metrics.accuracy ?? 0)),
      seconds: src.seconds,
    });
    const target = loadWorkflow(join(repoRoot(), 'workflows', 'meta-mnist-from-digits.yaml'));
    const base: WorkflowConfig = { ...target, budget: { ...target.budget, trials } };
    const { meta: _meta, ...noMetaWf } = base;
    const without = await run(join(dir, 'mnist-plain.sqlite'), noMetaWf as WorkflowConfig);
    const best = Math.max(...without.trials.map((t) => t.metrics.accuracy ?? 0));
    const withMeta = await run(join(dir, 'mnist-meta.sqlite'), {
      ...base,
      meta: { ...base.meta!, from: [join(dir, 'digits.sqlite')] },
    });
    const metaBest = Math.max(...withMeta.trials.map((t) => t.metrics.accuracy ?? 0));
    const a = toReach(without.trials, best);
    const b = toReach(withMeta.trials, best);
    emit({
      real: 'digits -> mnist',
      budget: trials,
      no_meta_best: Math.round(best * 10000) / 10000,
      meta_best: Math.round(metaBest * 10000) / 10000,
      trainings_to_no_meta_best: { without_meta: a, with_meta: b ?? `not reached in ${trials}` },
      seconds: { without_meta: without.seconds, with_meta: withMeta.seconds },
      ok: b !== null && a !== null && b < a,
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
