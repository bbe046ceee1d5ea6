// Task descriptors and the similarity between tasks. A table-evaluated run has no data to describe:
// its task is {evaluation, table, metric column}. A run on a dataset is described by the dataset's
// meta-features (size, input shape, classes, class balance, two landmarks; describeDataset).

import { basename } from 'node:path';
import { deriveSeed } from '../core/rng.js';
import { describeDataset, loadDataset, type DatasetFeatures } from '../training/datasets/index.js';
import { searchRows } from '../training/datasets/prepare.js';
import type { WorkflowConfig } from '../core/workflow.js';
import type { TaskDescriptor } from './types.js';

const featureCache = new Map<string, DatasetFeatures>();

/** The descriptor of a workflow's task (loads and describes the dataset when there is one; cached). */
export function describeTask(wf: Pick<WorkflowConfig, 'evaluation' | 'dataset' | 'seed'>): TaskDescriptor {
  const evaluation = String(wf.evaluation.type);
  if (evaluation === 'benchmark' && typeof wf.evaluation.table === 'string') {
    return {
      kind: 'table',
      evaluation,
      table: basename(wf.evaluation.table),
      metric: String(wf.evaluation.metric ?? ''),
    };
  }
  if (wf.dataset) {
    const test = wf.dataset.split?.test;
    const k = JSON.stringify([
      wf.dataset.source,
      wf.dataset.label,
      wf.dataset.task ?? null,
      wf.dataset.limit ?? null,
      test ? [test, wf.seed] : null,
    ]);
    let features = featureCache.get(k);
    if (!features) {
      // a held-out test split is described without its rows: the search never sees them
      const rows = test ? searchRows(wf.dataset, undefined, deriveSeed(wf.seed, 'dataset')) : loadDataset(wf.dataset);
      features = describeDataset(rows);
      featureCache.set(k, features);
    }
    return { kind: 'dataset', evaluation, source: sourceName(wf.dataset.source), features };
  }
  return { kind: 'other', evaluation };
}

function sourceName(source: string): string {
  const i = source.indexOf(':');
  return i < 0 ? source : `${source.slice(0, i)}:${basename(source.slice(i + 1))}`;
}

/** The scaled meta-feature vector that dataset similarity is measured on (each entry roughly 0..3). */
export function featureVector(f: DatasetFeatures): number[] {
  return [
    Math.log10(Math.max(1, f.n)) / 2,
    Math.log2(Math.max(1, f.features)) / 4,
    f.inputShape.length / 2,
    Math.log2(Math.max(2, f.classes)) / 2,
    f.classEntropyNormalized,
    f.classBalance,
    2 * f.landmark1nn,
    2 * f.landmarkCentroid,
    // a regression task is far from every classification task (0 for both leaves their distances as they were)
    f.task === 'regression' ? 3 : 0,
  ];
}

/**
 * Similarity in (0, 1] between two tasks (1 = the same task).
 * - table vs table: 1 for the same table and column, 0.5 for another column of the same table (the same
 *   architectures measured on a related task), 0.25 for another table;
 * - dataset vs dataset: exp(-d) with d the Euclidean distance of the scaled meta-feature vectors;
 * - anything else (table vs dataset, unknown): 0.1.
 */
export function taskSimilarity(a: TaskDescriptor, b: TaskDescriptor): number {
  if (a.kind === 'table' && b.kind === 'table') {
    if (a.table !== b.table) return 0.25;
    return a.metric === b.metric ? 1 : 0.5;
  }
  if (a.kind === 'dataset' && b.kind === 'dataset') {
    const x = featureVector(a.features);
    const y = featureVector(b.features);
    let d = 0;
    for (let i = 0; i < x.length; i++) d += (x[i] - y[i]) ** 2;
    return Math.exp(-Math.sqrt(d));
  }
  return 0.1;
}
