// Benchmark `scale-out`: the Redis executor against the local pool, in one run on this machine.
//
// 1. Candidates per minute on the quickstart's candidates (its workflow, data and epochs; a seeded
//    sample of its space, the same candidates for every runner): the local `train` pool with 1 and 2
//    threads, and the Redis executor with 1 and 2 `nas worker` processes (1 thread each). Every runner
//    stays open and warm (one untimed pass first) and the runners are interleaved in rotated order over
//    the repetitions, since this shared machine drifts between passes. Target: 2 workers within 5% of
//    the 2-thread pool (`redis2_vs_local2` >= 0.95).
// 2. The queue's own delay: from a job's enqueue to its start on a worker (BullMQ's timestamps), the
//    median over every remote trial above. Target: under 20 ms.
// 3. A simulated 16-worker run: the whole engine (`startRun`, a store) with 160 trials of a fake
//    2-second evaluator (NAS-Bench-201 lookups with delay_ms 2000) on 16 `nas worker` processes.
//    Target: under 25 s; the speed-up is 160 x 2 s over the wall time.
//
// Args: --candidates N per pass (default 6; the warm-up pass takes 2), --reps N (default 2), --trials N of the simulated run (160),
// --part train|sim (default both).

import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { Emit } from './run.js';
import { flag, median, repoRoot } from './util.js';
import { loadWorkflow } from '../../engine/workflow/index.js';
import type { WorkflowConfig } from '../../engine/core/workflow.js';
import { createSpace } from '../../engine/space/index.js';
import { deriveSeed, Rng } from '../../engine/core/rng.js';
import type { EvalJob, EvalResult, Evaluator } from '../../engine/core/evaluator.js';
import { TrainEvaluator } from '../../engine/evaluation/train/evaluator.js';
import type { TrainOptions } from '../../engine/evaluation/train/options.js';
import { RemoteEvaluator } from '../../engine/evaluation/remote/executor.js';
import { Store } from '../../engine/store/store.js';
import { startRun } from '../../engine/search/run.js';
import { NasProcess, RedisServer } from '../helpers/redis.js';

interface Runner {
  name: string;
  evaluator: Evaluator;
  parallel: number;
}

/** Evaluates `jobs` with at most `parallel` at a time (as the engine loop does); wall seconds and results. */
async function pass(r: Runner, jobs: EvalJob[]): Promise<{ seconds: number; results: EvalResult[] }> {
  const results: EvalResult[] = [];
  let next = 0;
  const t0 = performance.now();
  const lane = async () => {
    while (next < jobs.length) {
      const job = jobs[next++];
      results.push(await r.evaluator.evaluate(job, { signal: new AbortController().signal, report: () => undefined }));
    }
  };
  await Promise.all(Array.from({ length: r.parallel }, lane));
  return { seconds: (performance.now() - t0) / 1000, results };
}

export default async function scaleOut(emit: Emit, args: string[]): Promise<void> {
  const candidates = flag(args, 'candidates', 6);
  const i = args.indexOf('--part');
  const part = i >= 0 ? args[i + 1] : 'all';
  const reps = flag(args, 'reps', 2);
  const simTrials = flag(args, 'trials', 160);
  const root = repoRoot();
  const dir = mkdtempSync(join(tmpdir(), 'nas-scale-out-'));
  const server = await RedisServer.start();
  const procs: NasProcess[] = [];
  const runners: Runner[] = [];
  try {
    if (part !== 'sim') await trainFigures();
    if (part !== 'train') await simulated();
  } finally {
    await Promise.allSettled(runners.map((r) => r.evaluator.close()));
    for (const p of procs) await p.stop();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }

  async function start(queue: string, count: number): Promise<void> {
    const ws = Array.from({ length: count }, () => NasProcess.worker(server.url, queue, ['--threads', '1']));
    procs.push(...ws);
    await Promise.all(ws.map((w) => w.ready()));
  }

  async function trainFigures(): Promise<void> {
    const quick = loadWorkflow(join(root, 'workflows', 'quickstart.yaml'));
    const wf = (parallel: number, queue?: string): WorkflowConfig => ({
      ...quick,
      parallel,
      evaluation: { ...quick.evaluation, keep_models: 0 },
      ...(queue ? { executor: { type: 'redis', url: server.url, queue } } : {}),
    });
    const space = createSpace(quick.space);
    const rng = new Rng(deriveSeed(quick.seed, 'scale-out'));
    const seen = new Set<string>();
    const all: EvalJob[] = [];
    while (all.length < candidates * (reps + 1)) {
      const arch = space.sample(rng);
      const key = space.key(arch);
      if (seen.has(key)) continue;
      seen.add(key);
      all.push({ trial: all.length + 1, arch, key, seed: deriveSeed(quick.seed, 'trial', all.length + 1), attempt: 1 });
    }
    await Promise.all([start('bench-r1', 1), start('bench-r2', 2)]);
    const { type: _t, ...options } = wf(1).evaluation;
    const trainOptions = options as TrainOptions;
    runners.push(
      { name: 'local1', evaluator: new TrainEvaluator({ workflow: wf(1), options: trainOptions }), parallel: 1 },
      { name: 'local2', evaluator: new TrainEvaluator({ workflow: wf(2), options: trainOptions }), parallel: 2 },
      { name: 'redis1', evaluator: new RemoteEvaluator(wf(1, 'bench-r1')), parallel: 1 },
      { name: 'redis2', evaluator: new RemoteEvaluator(wf(2, 'bench-r2')), parallel: 2 },
    );
    // warm-up: backends, datasets and V8's first compiles, on every runner (untimed)
    for (const r of runners) await pass(r, all.slice(0, Math.min(2, candidates)));
    emit({ figure: 'warmed_up', runners: runners.map((r) => r.name) });
    const seconds = new Map<string, number>(runners.map((r) => [r.name, 0]));
    const queued: number[] = [];
    for (let rep = 0; rep < reps; rep++) {
      const jobs = all.slice((rep + 1) * candidates, (rep + 2) * candidates);
      for (let k = 0; k < runners.length; k++) {
        const r = runners[(rep + k) % runners.length];
        // a remote job id includes the seed: a new seed per runner keeps jobs distinct across runners
        const mine = jobs.map((j) => ({ ...j, seed: deriveSeed(j.seed, r.name) }));
        const p = await pass(r, mine);
        seconds.set(r.name, seconds.get(r.name)! + p.seconds);
        for (const res of p.results) {
          const q = (res.info?.queue as { queued_ms?: number } | undefined)?.queued_ms;
          if (typeof q === 'number') queued.push(q);
        }
        emit({ figure: 'pass', runner: r.name, rep, candidates, seconds: Math.round(p.seconds * 100) / 100 });
      }
    }
    const perMin = (name: string) => (candidates * reps * 60) / seconds.get(name)!;
    const figures = Object.fromEntries(runners.map((r) => [r.name, Math.round(perMin(r.name) * 10) / 10]));
    emit({ figure: 'candidates_per_minute', ...figures, candidates: candidates * reps });
    emit({
      figure: 'redis2_vs_local2',
      ratio: Math.round((perMin('redis2') / perMin('local2')) * 1000) / 1000,
      target: '>= 0.95',
    });
    emit({
      figure: 'queue_enqueue_to_start_ms',
      median: median(queued),
      max: Math.max(...queued),
      trials: queued.length,
      target: '< 20',
    });
    await Promise.all(runners.map((r) => r.evaluator.close()));
    runners.length = 0;
    for (const p of procs.splice(0)) await p.stop();
  }

  // 3. the simulated 16-worker run
  async function simulated(): Promise<void> {
    await start('bench-sim', 16);
    const simWorkflow = (name: string, trials: number, delay: number) => {
      const file = join(dir, `${name}.yaml`);
      writeFileSync(
        file,
        [
          `name: ${name}`,
          'seed: 5',
          'space: { kind: cell, preset: nb201 }',
          'strategy: { type: random }',
          `evaluation: { type: benchmark, table: ${join(root, 'workflows', 'benchmarks', 'nb201-cifar.csv')}, metric: cifar10, delay_ms: ${delay} }`,
          `budget: { trials: ${trials} }`,
          'parallel: 16',
          `executor: { type: redis, url: ${server.url}, queue: bench-sim }`,
        ].join('\n'),
      );
      return loadWorkflow(file);
    };
    // warm-up (untimed): the workers load the 15,625-row table once per process, as long-lived workers have
    const warm = Store.open(join(dir, 'warm.sqlite'));
    await startRun(warm, simWorkflow('warm-up', 64, 200));
    warm.close();
    const file = simWorkflow('scale-out-sim', simTrials, 2000);
    const store = Store.open(join(dir, 'sim.sqlite'));
    const t0 = performance.now();
    const summary = await startRun(store, file);
    const wall = (performance.now() - t0) / 1000;
    const trials = store.trials(summary.run, '');
    store.close();
    // where the time goes: a trial's span at the coordinator (2 s of it evaluation), and the queue's part
    emit({
      figure: 'simulated_trial_ms',
      coordinator_median: median(trials.map((t) => (t.finishedAt ?? 0) - t.startedAt)),
      enqueue_to_start_median: median(trials.map((t) => (t.info?.queue as { queued_ms: number }).queued_ms)),
    });
    emit({
      figure: 'simulated_16_workers',
      trials: summary.trials,
      status: summary.status,
      seconds: Math.round(wall * 100) / 100,
      speedup: Math.round(((simTrials * 2) / wall) * 100) / 100,
      ideal_speedup: 16,
      target_seconds: '< 25',
    });
  }
}
