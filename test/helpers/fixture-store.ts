// Builds a store from a JSON fixture (runs of real workflow files, trials given by arch, state and
// metrics), with fixed timestamps, so command output over it is the same on every run.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadWorkflow } from '../../engine/workflow/index.js';
import { createSpace } from '../../engine/space/index.js';
import { Store, type RunStatus } from '../../engine/store/store.js';
import type { Json, JsonObject, Metrics, TrialState } from '../../engine/core/types.js';
import { ROOT } from './paths.js';

interface FixtureRun {
  workflow: string; // relative to the repository root
  status: RunStatus;
  reason: string | null;
  createdAt: string;
  elapsedMs: number;
  trials: { arch: Json; state: TrialState; metrics: Metrics; error?: string }[];
}

export function buildFixtureStore(fixture: string, path: string): Store {
  const { runs } = JSON.parse(readFileSync(fixture, 'utf8')) as { runs: FixtureRun[] };
  const store = Store.open(path);
  for (const r of runs) {
    const file = join(ROOT, r.workflow);
    const wf = loadWorkflow(file);
    const space = createSpace(wf.space);
    const id = store.createRun({
      name: wf.name,
      workflowFile: r.workflow,
      workflowText: readFileSync(file, 'utf8'),
      workflowHash: 'fixture',
      config: wf as unknown as JsonObject,
    });
    const created = Date.parse(r.createdAt);
    r.trials.forEach((t, i) => {
      const arch = space.validate(t.arch);
      store.insertTrial(id, '', {
        number: i + 1,
        key: space.key(arch),
        arch,
        state: t.state,
        metrics: t.metrics,
        seed: i + 1,
        attempts: 1,
        startedAt: created + i * 1000,
        ...(t.state === 'running' ? {} : { finishedAt: created + i * 1000 + 500 }),
        ...(t.error ? { error: t.error } : {}),
      });
    });
    store.setRunStatus(id, r.status, r.reason);
    store.db
      .prepare('UPDATE runs SET created_at = ?, updated_at = ?, elapsed_ms = ?, owner_pid = NULL WHERE id = ?')
      .run(created, created, r.elapsedMs, id);
  }
  return store;
}
