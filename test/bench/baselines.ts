// Benchmark `baselines`: the table workflows against scikit-learn (when /usr/bin/python3 has it):
// ridge regression for workflows/diabetes-regression.yaml (on scikit-learn's 80/20 split with seed 1,
// the 0.43, and on the engine's own split of the run: the same validation rows), logistic
// regression for builtin:wine on the engine's split (the no-space workflow's baseline); then the
// diabetes workflow itself.
//   npm run bench -- baselines

import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deriveSeed } from '../../engine/core/rng.js';
import { startRun } from '../../engine/search/run.js';
import { Store } from '../../engine/store/store.js';
import type { Dataset } from '../../engine/training/datasets/index.js';
import { splitParts } from '../../engine/training/datasets/prepare.js';
import { shippedDataFile } from '../../engine/training/datasets/root.js';
import { loadWorkflow } from '../../engine/workflow/index.js';
import type { WorkflowConfig } from '../../engine/core/workflow.js';
import type { Emit } from './run.js';
import { repoRoot } from './util.js';

const PY = '/usr/bin/python3';
const SCRIPT = join(repoRoot(), 'test', 'bench', 'sklearn_baselines.py');

function toCsv(ds: Dataset): string {
  const d = ds.x.length / ds.n;
  const rows = [Array.from({ length: d + 1 }, (_, j) => (j < d ? `f${j}` : 'label')).join(',')];
  for (let i = 0; i < ds.n; i++)
    rows.push([...ds.x.subarray(i * d, (i + 1) * d), ds.targets ? ds.targets[i] : ds.y[i]].join(','));
  return rows.join('\n') + '\n';
}

/** The split every trial of `wf` sees, written as CSV files (engine/evaluation/train/evaluator.ts' data seed). */
function writeSplit(wf: WorkflowConfig, dir: string, stem: string): [string, string] {
  const parts = splitParts(wf.dataset!, undefined, deriveSeed(wf.seed, 'dataset'));
  const files: [string, string] = [join(dir, `${stem}-train.csv`), join(dir, `${stem}-val.csv`)];
  writeFileSync(files[0], toCsv(parts.train));
  writeFileSync(files[1], toCsv(parts.validation));
  return files;
}

function sklearn(emit: Emit, args: string[]): Record<string, number> | undefined {
  if (!existsSync(PY)) {
    emit({ reference: 'scikit-learn', skipped: `no ${PY}` });
    return undefined;
  }
  try {
    return JSON.parse(execFileSync(PY, [SCRIPT, ...args], { encoding: 'utf8' })) as Record<string, number>;
  } catch (e) {
    emit({
      reference: 'scikit-learn',
      skipped: `failed (apt-get install -y python3-sklearn): ${(e as Error).message.split('\n')[0]}`,
    });
    return undefined;
  }
}

export default async function baselines(emit: Emit): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'nas-baselines-'));
  try {
    const diabetes = loadWorkflow(join(repoRoot(), 'workflows', 'diabetes-regression.yaml'));
    const ridge = sklearn(emit, ['ridge', shippedDataFile('diabetes.csv'), ...writeSplit(diabetes, dir, 'diabetes')]);
    if (ridge) {
      emit({ dataset: 'diabetes', reference: 'ridge', split: 'sklearn 80/20 random_state=1', r2: ridge.sklearn_split });
      emit({ dataset: 'diabetes', reference: 'ridge', split: 'engine', r2: ridge.engine_split });
    }
    const wine = loadWorkflow(join(repoRoot(), 'workflows', 'wine-no-space.yaml'));
    const logistic = sklearn(emit, ['logistic', ...writeSplit(wine, dir, 'wine')]);
    if (logistic)
      emit({ dataset: 'wine', reference: 'logistic-regression', split: 'engine', accuracy: logistic.engine_split });

    const store = Store.open(join(dir, 'run.sqlite'));
    try {
      const t0 = performance.now();
      const s = await startRun(store, { ...diabetes, parallel: 2 });
      const trials = store.trials(s.run, '').filter((t) => t.state === 'complete');
      emit({
        workflow: 'diabetes-regression',
        status: s.status,
        complete_trials: trials.length,
        best_validation_r2: Math.max(...trials.map((t) => t.metrics.r2 ?? -Infinity)),
        seconds: Math.round((performance.now() - t0) / 100) / 10,
      });
    } finally {
      store.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
