// Bounds on what a workflow file can make the engine read or allocate. Each is far above any real
// search and far below what takes a machine down; a value beyond one is a problem at its place in
// the file, like any other. docs/ARCHITECTURE.md ("Limits and guarantees") lists them.

import { availableParallelism } from 'node:os';

/** Workflow files (and files they extend) are read up to this size; larger ones are refused unread. */
export const MAX_WORKFLOW_BYTES = 1024 * 1024;
/** Alias expansions while turning YAML into data (the "billion laughs" bomb needs millions). */
export const MAX_YAML_ALIASES = 1000;
/** Seeds are 32-bit: larger values would alias smaller ones (2^32 gave seed 0's search). */
export const MAX_SEED = 2 ** 32 - 1;
/** Layers of a chain network (`layers.max`). */
export const MAX_LAYERS = 64;
/** Nodes of a cell (edges grow with the square). */
export const MAX_CELL_NODES = 16;
/** Operations a cell may choose from. */
export const MAX_CELL_OPS = 32;
/** Any one size: input dimensions, filters, units, kernels, channels. */
export const MAX_SIZE = 65536;
/** Any integer option of a strategy or evaluator without a bound of its own (populations, buffers, epochs). */
export const MAX_OPTION_INT = 1_000_000;
/** The schema's absolute bound on `parallel`; the machine's own bound is PARALLEL_PER_CORE x its cores. */
export const MAX_PARALLEL = 1024;
export const PARALLEL_PER_CORE = 4;

/** How many trials may run at once here: 4x the cores (a thread each, with its own copy of the data). */
export function maxLocalParallel(): number {
  return Math.min(MAX_PARALLEL, PARALLEL_PER_CORE * availableParallelism());
}

/** A one-line reason why `parallel` is too high for this machine, or undefined. */
export function parallelProblem(parallel: number): string | undefined {
  const max = maxLocalParallel();
  if (parallel <= max) return undefined;
  return `parallel ${parallel} is more than ${PARALLEL_PER_CORE}x this machine's ${availableParallelism()} cores (${max}); each trial in flight is a thread with its own copy of the data: lower it`;
}
