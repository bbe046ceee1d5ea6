// The NAS-Bench-201 table as key -> accuracy of one column, for strategy tests.

import { join } from 'node:path';
import { loadBenchmarkTable } from '../../engine/evaluation/benchmark.js';
import { ROOT } from './paths.js';

export function loadTable(column: 'cifar10' | 'cifar100' | string): Map<string, number> {
  const table = loadBenchmarkTable(join(ROOT, 'workflows', 'benchmarks', 'nb201-cifar.csv'));
  return new Map([...table.rows].map(([key, metrics]) => [key, metrics[column]]));
}
