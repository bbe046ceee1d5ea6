// dataset.split.test: after a run completes, its top trials (those whose trained models are kept: the
// best `keep_models` by the primary objective of the final stage) are evaluated once on the held-out
// rows; the figures go to the store's test_results table, beside the validation metrics, never into
// the trials (finished trials are immutable) and never back into the search.

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { finalStage } from '../core/stages.js';
import type { WorkflowConfig } from '../core/workflow.js';
import type { Store } from '../store/store.js';
import { trialModelDir } from '../evaluation/train/models.js';
import { TRAIN_DEFAULTS } from '../evaluation/train/options.js';
import { rankedTrials } from './stages.js';

export interface TestSplitOutcome {
  /** Trials evaluated now (earlier ones are not evaluated again). */
  evaluated: number[];
  /** Why nothing could be evaluated, when that is so. */
  skipped?: string;
}

export async function testTopTrials(store: Store, runId: number, wf: WorkflowConfig): Promise<TestSplitOutcome> {
  const final = finalStage(wf);
  const sw = final.workflow;
  if (!sw.dataset?.split.test) return { evaluated: [] };
  if (sw.evaluation.type !== 'train') return { evaluated: [], skipped: 'the final stage does not train models' };
  if (store.path === ':memory:') return { evaluated: [], skipped: 'an in-memory store keeps no models' };
  const keep = (sw.evaluation.keep_models as number | undefined) ?? TRAIN_DEFAULTS.keep_models;
  const done = store.testResults(runId, final.stage);
  const dirs = new Map<number, string>();
  for (const t of rankedTrials(store, runId, final.stage, [sw.objective]).slice(0, keep)) {
    const dir = trialModelDir(store.path, runId, t.number, final.stage || undefined);
    if (!done.has(t.number) && existsSync(join(dir, 'model.json'))) dirs.set(t.number, dir);
  }
  if (dirs.size === 0) return { evaluated: [], ...(keep === 0 ? { skipped: 'keep_models is 0' } : {}) };
  const { evaluateTestSplit } = await import('../evaluation/train/test-split.js');
  const results = await evaluateTestSplit(sw, dirs);
  for (const [trial, metrics] of results) store.insertTestResult(runId, final.stage, trial, metrics);
  return { evaluated: [...results.keys()] };
}
