// The files a command writes. Every output is checked before anything is written: it must not be an
// input of the same command (`nas meta export runs/x.sqlite --out runs/x.sqlite` once replaced a
// store with JSON), and it must not exist unless --force. Write failures become one line naming the
// file, instead of a stack trace.

import { copyFileSync, existsSync, mkdirSync, realpathSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { FatalError } from '../core/errors.js';
import { UsageError } from './io.js';

export interface OutputPolicy {
  /** Overwrite existing outputs (--force). */
  force?: boolean;
  /** Files and directories the command reads; an output may be none of them, nor inside one of the directories. */
  inputs: string[];
}

/** Throws a one-line UsageError when one of `outputs` is an input or (without force) exists. */
export function claimOutputs(outputs: string[], policy: OutputPolicy): void {
  for (const out of outputs) {
    const mine = identities(out);
    const clash = policy.inputs.find((input) => {
      const theirs = identities(input);
      return mine.some((m) => theirs.some((t) => m === t || (isDir(input) && m.startsWith(t + '/'))));
    });
    if (clash !== undefined)
      throw new UsageError(`${out} is an input of this command (${clash}); write to another path`);
    if (!policy.force && existsSync(out))
      throw new UsageError(`${out} exists already; choose another --out, or add --force to overwrite it`);
  }
}

/**
 * Names under which `path` may be known: its absolute path, its real path (symlinks resolved, for
 * the file or, when it does not exist, its directory) and, when it exists, its device:inode (hard links).
 * A store's -wal and -shm files count as the store.
 */
function identities(path: string): string[] {
  const abs = resolve(path.replace(/-(wal|shm|journal)$/, ''));
  const out = [abs];
  try {
    out.push(realpathSync(abs));
    const st = statSync(abs);
    out.push(`inode:${st.dev}:${st.ino}`);
  } catch {
    try {
      out.push(join(realpathSync(dirname(abs)), basename(abs)));
    } catch {
      // directory missing too: the absolute path is all there is
    }
  }
  return out;
}

function isDir(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** Creates a directory for outputs, or fails with one line. */
export function makeOutputDir(dir: string): void {
  guard(dir, () => mkdirSync(dir, { recursive: true }));
}

export function writeOutput(path: string, data: string | Uint8Array): void {
  guard(path, () => writeFileSync(path, data));
}

export function copyOutput(from: string, to: string): void {
  guard(to, () => copyFileSync(from, to));
}

/** Runs a write, turning a file-system error into one line that names the file. */
export function guard<T>(path: string, write: () => T): T {
  try {
    return write();
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (typeof err.code !== 'string' || !err.syscall) throw e;
    const target = err.path ?? path;
    throw new FatalError(`cannot write ${target}: ${describeErrno(err.code)} (${err.code}); choose another --out`, {
      cause: e,
    });
  }
}

const ERRNO: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on the device',
  ENOTDIR: 'a part of the path is not a directory',
  EISDIR: 'it is a directory',
  ENOENT: 'a directory on the path does not exist',
  EEXIST: 'it exists already',
  ENAMETOOLONG: 'the name is too long',
};

export function describeErrno(code: string): string {
  return ERRNO[code] ?? 'the file system refused it';
}
