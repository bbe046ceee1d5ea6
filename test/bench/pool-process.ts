// Child process of the pool-scaling benchmark's reference: a worker of a process pool. It trains
// each job it is sent (IPC) in-process and answers with the job's training seconds.

import { trainCandidate } from '../../engine/evaluation/train/core.js';
import { initBackend } from '../../engine/training/backend.js';
import type { BenchJob } from './pool-jobs.js';

const ready = initBackend('wasm');

process.on('message', async (job: BenchJob) => {
  await ready;
  const result = await trainCandidate(job, 'wasm', { cancelled: () => false });
  process.send?.(result.seconds);
});
