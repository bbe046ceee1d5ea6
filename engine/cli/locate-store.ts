// Finds the store a command works on: --store, or the default store of a workflow file
// (runs/<name>.sqlite under the current directory), or the only store under runs/.

import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { UsageError } from './io.js';

export function defaultStorePath(workflowName: string, cwd = process.cwd()): string {
  return join(cwd, 'runs', `${workflowName}.sqlite`);
}

export function locateStore(explicit: string | undefined, cwd = process.cwd()): string {
  if (explicit) {
    const p = resolve(cwd, explicit);
    if (!existsSync(p)) throw new UsageError(`store ${explicit} does not exist`);
    return p;
  }
  const dir = join(cwd, 'runs');
  const stores = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.sqlite')) : [];
  if (stores.length === 1) return join(dir, stores[0]);
  if (stores.length === 0)
    throw new UsageError('no store found under ./runs; name one with --store PATH (or give the workflow file)');
  throw new UsageError(
    `several stores under ./runs (${stores.join(', ')}); name one with --store PATH (or give the workflow file)`,
  );
}
