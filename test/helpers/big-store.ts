// A store with one quickstart-space run of N finished trials (distinct sampled archs, seeded
// metrics and 3-epoch curves), written in one transaction: for the dashboard's scale test and bench.

import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { loadWorkflow } from '../../engine/workflow/index.js';
import { createSpace } from '../../engine/space/index.js';
import { Store } from '../../engine/store/store.js';
import { Rng } from '../../engine/core/rng.js';
import type { JsonObject } from '../../engine/core/types.js';
import { ROOT } from './paths.js';

export function buildBigStore(
  path: string,
  n: number,
): { store: Store; run: number; space: ReturnType<typeof createSpace> } {
  const file = join(ROOT, 'workflows', 'quickstart.yaml');
  const base = loadWorkflow(file);
  // the quickstart's space has 17,724 archs; up to 6 layers it has millions
  const layers = (base.space as unknown as { layers: JsonObject }).layers;
  const wf = { ...base, space: { ...base.space, layers: { ...layers, max: 6 } }, budget: { trials: n + 100 } };
  const space = createSpace(wf.space as typeof base.space);
  const store = Store.open(path);
  const run = store.createRun({
    name: 'scale',
    workflowFile: file,
    workflowText: readFileSync(file, 'utf8'),
    workflowHash: 'scale',
    config: wf as unknown as JsonObject,
  });
  const rng = new Rng(20_000);
  const seen = new Set<string>();
  const t0 = Date.now() - n * 1000;
  store.transaction(() => {
    for (let number = 1; number <= n;) {
      const arch = space.sample(rng);
      const key = space.key(arch);
      if (seen.has(key)) continue;
      seen.add(key);
      const acc = 0.5 + 0.45 * rng.next();
      const pruned = rng.next() < 0.3;
      const epochs = pruned ? 1 : 3;
      const curve = Array.from({ length: epochs }, (_, i) => ({
        step: i + 1,
        metrics: { accuracy: acc - 0.05 * (epochs - 1 - i), loss: 1 - acc + 0.05 * (epochs - 1 - i) },
      }));
      store.insertTrial(run, '', {
        number,
        key,
        arch,
        state: pruned ? 'pruned' : 'complete',
        metrics: { accuracy: acc, loss: 1 - acc, params: Math.round(1e4 + 1e6 * rng.next()) },
        seed: number,
        attempts: 1,
        startedAt: t0 + number * 1000,
        finishedAt: t0 + number * 1000 + 900,
        curve,
      });
      number++;
    }
  });
  return { store, run, space };
}
