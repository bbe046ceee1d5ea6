// Benchmark `regression`: workflows/diabetes-regression.yaml against ridge regression (scikit-learn,
// when /usr/bin/python3 has it), on scikit-learn's 80/20 split with seed 1 (the 0.43) and on
// the engine's own split of the same run (the fair comparison: the same validation rows).
//   npm run bench -- regression

import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deriveSeed } from '../../engine/core/rng.js';
import { startRun } from '../../engine/search/run.js';
import { Store } from '../../engine/store/store.js';
import { loadDataset, splitDataset, type Dataset } from '../../engine/training/datasets/index.js';
import { shippedDataFile } from '../../engine/training/datasets/root.js';
import { loadWorkflow } from '../../engine/workflow/index.js';
import type { Emit } from './run.js';
import { repoRoot } from './util.js';

function toCsv(ds: Dataset): string {
  const d = ds.x.length / ds.n;
  const rows = [Array.from({ length: d + 1 }, (_, j) => (j < d ? `f${j}` : 'label')).join(',')];
  for (let i = 0; i < ds.n; i++) rows.push([...ds.x.subarray(i * d, (i + 1) * d), ds.targets![i]].join(','));
  return rows.join('\n') + '\n';
}

export default async function regression(emit: Emit): Promise<void> {
  const wf = loadWorkflow(join(repoRoot(), 'workflows', 'diabetes-regression.yaml'));
  const dir = mkdtempSync(join(tmpdir(), 'nas-regression-'));
  try {
    // the split every trial of the run sees (engine/evaluation/train/evaluator.ts, datasets/prepare.ts)
    const dataSeed = deriveSeed(wf.seed, 'dataset');
    const ds = loadDataset(wf.dataset!, undefined, { seed: dataSeed });
    const split = splitDataset(ds, wf.dataset!.split.validation, deriveSeed(dataSeed, 'dataset.split'));
    writeFileSync(join(dir, 'train.csv'), toCsv(split.train));
    writeFileSync(join(dir, 'val.csv'), toCsv(split.validation));
    const py = '/usr/bin/python3';
    const script = join(repoRoot(), 'test', 'bench', 'ridge.py');
    if (!existsSync(py)) emit({ reference: 'ridge', skipped: 'no /usr/bin/python3' });
    else {
      try {
        const out = execFileSync(
          py,
          [script, shippedDataFile('diabetes.csv'), join(dir, 'train.csv'), join(dir, 'val.csv')],
          { encoding: 'utf8' },
        );
        const r = JSON.parse(out) as { sklearn_split: number; engine_split: number };
        emit({ reference: 'ridge', split: 'sklearn 80/20 random_state=1', r2: r.sklearn_split });
        emit({ reference: 'ridge', split: 'engine', r2: r.engine_split });
      } catch (e) {
        emit({
          reference: 'ridge',
          skipped: `scikit-learn failed (apt-get install -y python3-sklearn): ${(e as Error).message.split('\n')[0]}`,
        });
      }
    }
    const store = Store.open(join(dir, 'run.sqlite'));
    try {
      const t0 = performance.now();
      const s = await startRun(store, { ...wf, parallel: 2 });
      const trials = store.trials(s.run, '').filter((t) => t.state === 'complete');
      const best = Math.max(...trials.map((t) => t.metrics.r2 ?? -Infinity));
      emit({
        workflow: 'diabetes-regression',
        status: s.status,
        trials: trials.length,
        best_validation_r2: best,
        seconds: Math.round((performance.now() - t0) / 100) / 10,
      });
    } finally {
      store.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
