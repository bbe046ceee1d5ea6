// nas worker --redis URL [--queue NAME] [--threads N] [--lock SECONDS]: serves a run's `executor: redis`
// queue on this machine until Ctrl-C/SIGTERM (the first finishes the running jobs, a second exits now).

import { line, UsageError, type Io } from './io.js';
import { redactUrl } from '../evaluation/remote/connection.js';

/** How long a stopping worker waits for its running jobs (and Redis) before it exits anyway. */
const CLOSE_TIMEOUT_MS = 60_000;

export interface WorkerFlags {
  redis?: string;
  queue?: string;
  threads?: number;
  lock?: number;
}

export async function workerCommand(flags: WorkerFlags, io: Io): Promise<number> {
  const url = flags.redis ?? process.env.NAS_REDIS_URL;
  if (!url)
    throw new UsageError(
      'usage: nas worker --redis redis://HOST:PORT [--queue NAME] [--threads N] (or set NAS_REDIS_URL)',
    );
  if (!/^rediss?:\/\//.test(url))
    throw new UsageError(`--redis must be a redis:// or rediss:// url, got "${redactUrl(url)}"`);
  const queue = flags.queue ?? 'nas';
  if (!/^[A-Za-z0-9_.-]+$/.test(queue))
    throw new UsageError(`--queue: letters, digits, dots, dashes and underscores, got "${queue}"`);
  const threads = flags.threads ?? 1;
  const { RemoteWorker } = await import('../evaluation/remote/worker.js');
  const worker = new RemoteWorker({
    url,
    queue,
    threads,
    ...(flags.lock !== undefined ? { lockMs: flags.lock * 1000 } : {}),
    log: (text) => line(io.stderr, `${new Date().toISOString()} ${text}`),
  });
  await worker.start();
  line(io.stderr, `nas worker ${worker.name}: serving queue ${queue} on ${redactUrl(url)} with ${threads} thread(s)`);
  let stops = 0;
  await new Promise<void>((resolve) => {
    const onSignal = (sig: NodeJS.Signals) => {
      if (++stops > 1) process.exit(130);
      line(io.stderr, `${sig}: finishing the running jobs (again to exit now)`);
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      process.on('SIGINT', () => process.exit(130));
      process.on('SIGTERM', () => process.exit(130));
      resolve();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
  // BullMQ's close waits for the running jobs and for Redis; bounded, so a worker whose Redis is gone still exits
  const closed = await Promise.race([
    worker.close().then(() => true),
    new Promise<boolean>((r) => setTimeout(() => r(false), CLOSE_TIMEOUT_MS).unref()),
  ]);
  if (!closed) line(io.stderr, `the running jobs did not end within ${CLOSE_TIMEOUT_MS / 1000} s; exiting`);
  return closed ? 0 : 1;
}
