// Benchmark `overhead`: the engine's own trials per second through the full loop (ask, dedup,
// store transactions with checkpoints, tell) on the benchmark evaluator, with a SQLite file store.
// Reference in the same run: the raw evaluator calls per second, without the engine.
// Args: --trials N (default 5000), --strategies a,b (default: those whose state grows with the run).

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadWorkflow } from '../../engine/workflow/index.js';
import { Store } from '../../engine/store/store.js';
import { startRun } from '../../engine/search/run.js';
import { makeEvaluator, makeSpace } from '../../engine/search/components.js';
import { Rng } from '../../engine/core/rng.js';
import type { Emit } from './run.js';
import { flag, repoRoot } from './util.js';

export default async function overhead(emit: Emit, args: string[]): Promise<void> {
  const trials = flag(args, 'trials', 5000);
  const dir = mkdtempSync(join(tmpdir(), 'nas-overhead-'));
  try {
    const at = args.indexOf('--strategies');
    const strategies =
      at >= 0 && args[at + 1]
        ? args[at + 1].split(',')
        : ['random', 'regularized-evolution', 'genetic', 'local-search'];
    for (const strategy of strategies) {
      const base = loadWorkflow(join(repoRoot(), 'workflows', `nb201-${strategy}.yaml`));
      const wf = { ...base, parallel: 1, budget: { ...base.budget, trials, time: undefined } };
      const store = Store.open(join(dir, `${strategy}.sqlite`));
      const t0 = performance.now();
      const summary = await startRun(store, wf);
      const seconds = (performance.now() - t0) / 1000;
      store.close();
      emit({
        strategy,
        store: 'sqlite-file',
        trials: summary.trials,
        seconds: round(seconds),
        trials_per_second: Math.round(summary.trials / seconds),
        target: 1000,
      });
    }
    // Reference: the evaluator alone (table lookups of random archs), to show what the loop adds.
    const wf = loadWorkflow(join(repoRoot(), 'workflows', 'nb201-random.yaml'));
    const space = makeSpace(wf);
    const evaluator = await makeEvaluator(wf, space);
    const rng = new Rng(1);
    const signal = new AbortController().signal;
    const t0 = performance.now();
    for (let i = 0; i < trials; i++) {
      const arch = space.sample(rng);
      await evaluator.evaluate(
        { trial: i + 1, arch, key: space.key(arch), seed: i, attempt: 1 },
        { signal, report() {} },
      );
    }
    const seconds = (performance.now() - t0) / 1000;
    emit({ reference: 'evaluator-only', calls: trials, calls_per_second: Math.round(trials / seconds) });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
