// Datasets of remote trials, named by content. The coordinator hashes the files a dataset reads and
// puts each file's bytes in Redis once (key nas:data:<sha256>); a worker uses its own copy when the
// same path holds the same bytes, else fetches the bytes once per hash into a local cache, and refuses
// a dataset whose content differs from the coordinator's (a builtin of another version, an edited file).

import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import type { Redis } from 'ioredis';
import { FatalError, TrialError } from '../../core/errors.js';
import { shippedDataFile } from '../../training/datasets/root.js';
import type { DatasetConfig } from '../../core/workflow.js';
import type { DataFile, DatasetRef } from './payload.js';

/** Dataset bytes stay in Redis this long after their last upload (a week: runs resume within it). */
const DATA_TTL_S = 7 * 24 * 3600;

export const dataKey = (sha256: string): string => `nas:data:${sha256}`;

const sha256 = (b: Buffer | string): string => createHash('sha256').update(b).digest('hex');

/** The files a dataset source reads: a builtin's shipped files, or the path(s) of csv/json/idx. */
function sourceFiles(source: string): { scheme: string; paths: string[] } {
  const colon = source.indexOf(':');
  const scheme = source.slice(0, colon);
  const rest = source.slice(colon + 1);
  if (scheme !== 'builtin') return { scheme, paths: scheme === 'idx' ? rest.split(',') : [rest] };
  if (rest === 'mnist') {
    const dir = join(dirname(createRequire(import.meta.url).resolve('mnist/package.json')), 'src', 'digits');
    return { scheme, paths: Array.from({ length: 10 }, (_, d) => join(dir, `${d}.json`)) };
  }
  return { scheme, paths: [shippedDataFile(`${rest}.csv`)] };
}

const hashed = new Map<string, { sha256: string; bytes: number }>();
/** sha256 of a file, cached per path for this process (datasets do not change under a running search). */
function hashFile(path: string): { sha256: string; bytes: number } {
  const c = hashed.get(path);
  if (c) return c;
  const b = readFileSync(path);
  const h = { sha256: sha256(b), bytes: b.length };
  hashed.set(path, h);
  return h;
}

const combine = (files: DataFile[]): string => sha256(files.map((f) => f.sha256).join('\n'));

/** The coordinator's description of its dataset (hashes its files). */
export function describeData(config: DatasetConfig): DatasetRef {
  const { paths } = sourceFiles(config.source);
  const files = paths.map((path) => {
    try {
      return { path, ...hashFile(path) };
    } catch (e) {
      throw new FatalError(`dataset ${config.source}: cannot read ${path} (${(e as Error).message})`);
    }
  });
  return { config, sha256: combine(files), files };
}

/** Puts the dataset's file bytes in Redis unless they are there (builtins are not sent: workers have them). */
export async function uploadData(redis: Redis, ref: DatasetRef): Promise<void> {
  if (ref.config.source.startsWith('builtin:')) return;
  for (const f of ref.files) {
    const key = dataKey(f.sha256);
    if ((await redis.expire(key, DATA_TTL_S)) === 1) continue;
    await redis.set(key, readFileSync(f.path), 'EX', DATA_TTL_S);
  }
}

/**
 * The dataset section a worker trains on: the job's own paths when this machine has the same bytes
 * there, else copies fetched from Redis into `cacheDir`. Throws a non-retryable TrialError when the
 * content differs and cannot be fetched.
 */
export async function localData(ref: DatasetRef, redis: Redis, cacheDir: string): Promise<DatasetConfig> {
  const { scheme } = sourceFiles(ref.config.source);
  if (combine(ref.files) !== ref.sha256) throw new TrialError('malformed job payload: dataset hash mismatch', false);
  if (scheme === 'builtin') {
    const mine = describeData(ref.config);
    if (mine.sha256 !== ref.sha256)
      throw new TrialError(
        `dataset ${ref.config.source} on this worker differs from the coordinator's (sha256 ${mine.sha256.slice(0, 12)} vs ${ref.sha256.slice(0, 12)}); install the same nas version`,
        false,
      );
    return ref.config;
  }
  const paths: string[] = [];
  for (const f of ref.files) paths.push(await localFile(f, redis, cacheDir));
  return { ...ref.config, source: `${scheme}:${paths.join(',')}` };
}

async function localFile(f: DataFile, redis: Redis, cacheDir: string): Promise<string> {
  if (existsSync(f.path) && hashFile(f.path).sha256 === f.sha256) return f.path;
  const cached = join(cacheDir, f.sha256, basename(f.path));
  if (existsSync(cached) && hashFile(cached).sha256 === f.sha256) return cached;
  const bytes = await redis.getBuffer(dataKey(f.sha256));
  if (!bytes)
    throw new TrialError(
      `dataset file ${f.path} (sha256 ${f.sha256.slice(0, 12)}) is neither on this worker nor in Redis`,
      true,
    );
  if (sha256(bytes) !== f.sha256)
    throw new TrialError(`dataset file ${f.path}: the bytes in Redis do not match sha256 ${f.sha256}`, false);
  mkdirSync(dirname(cached), { recursive: true });
  const tmp = `${cached}.${process.pid}.tmp`;
  writeFileSync(tmp, bytes);
  renameSync(tmp, cached); // atomic: another worker on this machine never reads half a file
  return cached;
}
