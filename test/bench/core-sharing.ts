// Benchmark `core-sharing`: how much a training step slows down when the machine's other core is
// busy, by what keeps it busy. It bounds what any two workers can reach on this machine
// (pool-scaling): a step that runs s times slower beside a neighbour allows at most 2 / s.
//
// A probe thread trains the quickstart's smallest and largest CNN (pool-scaling's candidates, built
// and compiled by the engine; batch 32) step by step, alone
// and beside one neighbour thread: `alu` (a dependent floating-point chain, no memory traffic: on
// two physical cores it costs nothing), `memory` (streams 64 MB), `training` (a second worker
// training the same models). Interleaved, --rounds times (default 2), each figure a median of
// --reps (default 3) runs of 100 steps.

import { Worker } from 'node:worker_threads';
import type { Emit } from './run.js';
import { benchJobs, type BenchJob } from './pool-jobs.js';
import { flag, median } from './util.js';

export type Role = 'probe' | 'alu' | 'memory' | 'training';
export interface WorkerInput {
  role: Role;
  stop: SharedArrayBuffer;
  steps: number;
  reps: number;
  jobs: BenchJob[];
}
/** pool-scaling's candidates 0 and 7: the quickstart's smallest CNN (conv 16 3x3, dense 64) and largest (conv 32 5x5, dense 128). */
const JOBS: BenchJob[] = ((all) => [all[0], all[7]])(benchJobs('mnist', 8, 1));

/** A chain arch in short: `conv2d 16 3x3 > max_pool 2 > dense 64`. */
function label(job: BenchJob): string {
  const layers = (job.arch as { layers: Array<Record<string, unknown>> }).layers;
  return layers
    .map((l) =>
      [
        l.type,
        l.filters ?? l.units ?? l.size,
        l.kernel === undefined ? undefined : `${String(l.kernel)}x${String(l.kernel)}`,
      ]
        .filter((x) => x !== undefined)
        .join(' '),
    )
    .join(' > ');
}

const NEIGHBOURS = ['none', 'alu', 'memory', 'training'] as const;
type Neighbour = (typeof NEIGHBOURS)[number];

function start(role: Role, stop: SharedArrayBuffer, reps: number): { worker: Worker; ready: Promise<unknown> } {
  const workerData: WorkerInput = { role, stop, steps: 100, reps, jobs: JOBS };
  const worker = new Worker(new URL('./core-sharing-worker.js', import.meta.url), { workerData });
  const ready = new Promise((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  return { worker, ready };
}

/** ms per step of each arch for the probe beside `neighbour`, one median per arch. */
async function measure(neighbour: Neighbour, reps: number): Promise<number[]> {
  const stop = new SharedArrayBuffer(4);
  const probe = start('probe', stop, reps);
  const other = neighbour === 'none' ? undefined : start(neighbour, stop, reps);
  try {
    await Promise.all([probe.ready, other?.ready]);
    const result = new Promise<number[][]>((resolve, reject) => {
      probe.worker.once('message', resolve);
      probe.worker.once('error', reject);
    });
    probe.worker.postMessage('go');
    return (await result).map(median);
  } finally {
    Atomics.store(new Int32Array(stop), 0, 1);
    await Promise.all([probe.worker.terminate(), other?.worker.terminate()]);
  }
}

export default async function coreSharing(emit: Emit, args: string[]): Promise<void> {
  const rounds = flag(args, 'rounds', 2);
  const reps = flag(args, 'reps', 3);
  const runs = new Map<Neighbour, number[][]>(NEIGHBOURS.map((n) => [n, []]));
  for (let r = 0; r < rounds; r++) for (const n of NEIGHBOURS) runs.get(n)!.push(await measure(n, reps));
  const alone = JOBS.map((_, k) => median(runs.get('none')!.map((m) => m[k])));
  for (const n of NEIGHBOURS) {
    JOBS.forEach((job, k) => {
      const ms = median(runs.get(n)!.map((m) => m[k]));
      const slowdown = ms / alone[k];
      emit({
        neighbour: n,
        arch: label(job),
        ms_per_step: Number(ms.toFixed(3)),
        slowdown: Number(slowdown.toFixed(3)),
        ...(n === 'training' ? { two_worker_ceiling: Number((2 / slowdown).toFixed(2)) } : {}),
      });
    });
  }
}
