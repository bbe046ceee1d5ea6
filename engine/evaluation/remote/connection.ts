// Redis connections of the executor and the worker. Two kinds: a probe that fails fast (an unreachable
// server is one clear line within seconds, not a hang), and the long-lived clients BullMQ uses, which
// reconnect forever with capped backoff, so a restarted Redis is waited for rather than fatal.

import { Redis, type RedisOptions } from 'ioredis';
import { FatalError, errorMessage } from '../../core/errors.js';
import type { ExecutorConfig } from '../../core/workflow.js';

/** The url without its password, for messages and logs. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparsable url)';
  }
}

/** The Redis url of a redis executor: `url`, or the environment variable `url_env` names. */
export function executorUrl(x: Extract<ExecutorConfig, { type: 'redis' }>, env = process.env): string {
  if (x.url) return x.url;
  const name = x.url_env ?? '';
  const v = env[name];
  if (!v)
    throw new FatalError(`executor.url_env: environment variable ${name} is not set; export ${name}=redis://HOST:PORT`);
  if (!/^rediss?:\/\//.test(v))
    throw new FatalError(`executor.url_env: ${name} must hold a redis:// or rediss:// url, got "${redactUrl(v)}"`);
  return v;
}

/** Options of a long-lived client: BullMQ needs maxRetriesPerRequest null; reconnect with backoff up to 2 s. */
export function clientOptions(): RedisOptions {
  return {
    maxRetriesPerRequest: null,
    enableReadyCheck: true,
    retryStrategy: (times) => Math.min(100 * times, 2000),
  };
}

export function connect(url: string): Redis {
  const r = new Redis(url, clientOptions());
  // errors while reconnecting are expected during an outage: the client retries, callers see delays
  r.on('error', () => undefined);
  return r;
}

/** Fails with one line when Redis cannot be reached (or refuses the password) within `timeoutMs`. */
export async function probeRedis(url: string, what: string, timeoutMs = 8000): Promise<void> {
  const r = new Redis(url, {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  let last: unknown;
  r.on('error', (e) => (last = e));
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      (async () => {
        await r.connect();
        await r.ping();
      })(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${Math.round(timeoutMs / 1000)} s`)), timeoutMs);
      }),
    ]);
  } catch (e) {
    const why = errorMessage(last ?? e).split('\n')[0];
    throw new FatalError(
      `${what}: cannot reach Redis at ${redactUrl(url)} (${why}); start redis-server there or fix the url`,
    );
  } finally {
    if (timer) clearTimeout(timer);
    r.disconnect();
  }
}
