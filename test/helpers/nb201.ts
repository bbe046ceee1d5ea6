// The NAS-Bench-201 table as key -> accuracy of one column, for strategy tests.

import { join } from 'node:path';
import { loadBenchmarkTable } from '../../engine/evaluation/benchmark.js';
import { ROOT } from './paths.js';
import { loadWorkflow } from '../../engine/workflow/index.js';

export function loadTable(column: 'cifar10' | 'cifar100' | string): Map<string, number> {
  const table = loadBenchmarkTable(join(ROOT, 'workflows', 'benchmarks', 'nb201-cifar.csv'));
  return new Map([...table.rows].map(([key, metrics]) => [key, metrics[column]]));
}

/**
 * workflows/nb201-regularized-evolution.yaml with the peer script's evolution (nb201_peers.py:
 * population 20, sample 5). The file's population of 150 is sized so `nas explain` sees the whole
 * space; the tests and benches that use this workflow need an evolution that converges within
 * 40-300 trials, and the nb201 bench compares like with like.
 */
export function reaWorkflow(): ReturnType<typeof loadWorkflow> {
  const wf = loadWorkflow(join(ROOT, 'workflows', 'nb201-regularized-evolution.yaml'));
  return { ...wf, strategy: { type: 'regularized-evolution', population: 20, sample: 5 } };
}
