// Child process of the pool-scaling benchmark's reference: a worker of a process pool. It trains
// each job it is sent (IPC) in-process and answers 'done'.

import { trainCandidate } from '../../engine/evaluation/train/core.js';
import { initBackend } from '../../engine/training/backend.js';
import type { BenchJob } from './pool-jobs.js';

const ready = initBackend('wasm');

process.on('message', async (job: BenchJob) => {
  await ready;
  await trainCandidate(job, 'wasm', { cancelled: () => false });
  process.send?.('done');
});
