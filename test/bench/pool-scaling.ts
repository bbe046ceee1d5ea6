// Benchmark `pool-scaling`: candidates trained per minute by the `train` pool with 2 worker threads
// against 1, on the same fixed candidates (same archs, same seeds), in the same run. Workers are
// warmed first (backend, dataset and JIT, two candidates each), as they are a few trials into a
// search. Target: speedup >= 1.8 on 2 cores.
//
// Reference in the same run: the same candidates trained by 2 separate processes against 1 (no pool,
// no threads): what two cores of this machine give this work. The pool cannot beat it; 2.0 would
// need the two cores not to slow each other down, and they do share the L3 cache and memory
// bandwidth (and a VM's host).
//
// Args: --workload mnist|tiny (default mnist: the quickstart's CNNs on its 6,000 images, trained for
// its 3 epochs; see pool-jobs.ts), --candidates N (default 12), --epochs N (default 3 for mnist, 2
// for tiny).

import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { TrainPool } from '../../engine/evaluation/train/pool.js';
import type { Emit } from './run.js';
import { benchJobs, type BenchJob, type Workload } from './pool-jobs.js';
import { flag } from './util.js';

const WARMUP_PER_WORKER = 2;

async function poolSeconds(workers: number, jobs: BenchJob[]): Promise<number> {
  const pool = new TrainPool({ threads: workers, recycleAfter: 0 });
  try {
    const warm = Array.from({ length: WARMUP_PER_WORKER * workers }, (_, i) => jobs[i % jobs.length]);
    await Promise.all(warm.map((j) => pool.train({ ...j, trial: -j.trial })));
    const t0 = performance.now();
    await Promise.all(jobs.map((j) => pool.train(j)));
    return (performance.now() - t0) / 1000;
  } finally {
    await pool.close();
  }
}

/**
 * The same measure for a pool of `processes` child processes (each trains the job it is sent, in
 * its own process): warmed the same way, then fed from one queue.
 */
async function processSeconds(processes: number, jobs: BenchJob[]): Promise<number> {
  const script = fileURLToPath(new URL('./pool-process.js', import.meta.url));
  const children = Array.from({ length: processes }, () => fork(script, [], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] }));
  const train = (child: ChildProcess, job: BenchJob) => new Promise<void>((resolve, reject) => {
    const onExit = (code: number | null) => reject(new Error(`reference process exited with ${code}`));
    child.once('exit', onExit);
    child.once('message', () => {
      child.off('exit', onExit);
      resolve();
    });
    child.send(job);
  });
  const drain = (queue: BenchJob[]) => Promise.all(children.map(async (child) => {
    for (let job = queue.shift(); job; job = queue.shift()) await train(child, job);
  }));
  try {
    await Promise.all(children.map(async (child, k) => {
      for (let i = 0; i < WARMUP_PER_WORKER; i++) await train(child, jobs[(k * WARMUP_PER_WORKER + i) % jobs.length]);
    }));
    const t0 = performance.now();
    await drain([...jobs]);
    return (performance.now() - t0) / 1000;
  } finally {
    for (const child of children) child.kill();
  }
}

export default async function poolScaling(emit: Emit, args: string[]): Promise<void> {
  const at = args.indexOf('--workload');
  const workload: Workload = at >= 0 && args[at + 1] === 'tiny' ? 'tiny' : 'mnist';
  const n = flag(args, 'candidates', 12);
  const epochs = flag(args, 'epochs', workload === 'mnist' ? 3 : 2);
  const jobs = benchJobs(workload, n, epochs);
  const perMinute = (seconds: number) => round((n / seconds) * 60);
  const one = await poolSeconds(1, jobs);
  emit({ workload, workers: 1, candidates: n, epochs, seconds: round(one), candidates_per_minute: perMinute(one) });
  const two = await poolSeconds(2, jobs);
  emit({ workload, workers: 2, candidates: n, epochs, seconds: round(two), candidates_per_minute: perMinute(two) });
  emit({ workload, speedup: round(one / two), target: 1.8 });
  const p1 = await processSeconds(1, jobs);
  const p2 = await processSeconds(2, jobs);
  emit({ workload, reference: 'separate-processes', seconds_1: round(p1), seconds_2: round(p2), speedup: round(p1 / p2) });
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}
