// DARTS through the real engine and pool: `nas run` semantics on a tiny digits search. The supernet
// runs as a pool job of type 'supernet' with per-epoch progress, its trial keeps the alphas per
// epoch, and the derived cell is trained by the `train` evaluator as trial 2 of the same run.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { join } from 'node:path';
import { loadWorkflow } from '../engine/workflow/index.js';
import { Store } from '../engine/store/store.js';
import { startRun } from '../engine/search/run.js';
import type { SearchEvent } from '../engine/search/loop.js';
import { ROOT } from './helpers/paths.js';

test('digits-darts (tiny): supernet trial with progress and alphas per epoch, then the derived cell as a trained trial', async () => {
  const base = loadWorkflow(join(ROOT, 'workflows', 'digits-darts.yaml'));
  const wf = {
    ...base,
    strategy: {
      type: 'darts',
      epochs: 2,
      warmup: 0,
      max_steps: 3,
      batch_size: 32,
      skeleton: { channels: 4, cells: 1, stages: 1 },
      candidates: 1,
    },
    evaluation: { ...base.evaluation, epochs: 1, fidelity: { data: 0.25 } },
    space: { ...base.space, skeleton: { channels: 4, cells: 1, stages: 1 } },
    budget: { trials: 5, failures: 1 },
    parallel: 1,
  } as typeof base;
  const store = Store.open(':memory:');
  const progress: { number: number; step: number; metrics: Record<string, number> }[] = [];
  const s = await startRun(store, wf, {
    onEvent: (e: SearchEvent) => void (e.type === 'trial-progress' && progress.push(e)),
  });
  assert.is(s.status, 'complete', s.reason);
  const trials = store.trials(s.run, '');
  assert.is(trials.length, 2);
  const [sn, derived] = trials;
  assert.is(sn.key, 'supernet:darts');
  assert.is(sn.state, 'complete');
  assert.is(sn.info?.job, 'supernet');
  assert.is((sn.info?.alphas as unknown[]).length, 2);
  assert.equal(
    sn.curve?.map((p) => p.step),
    [1, 2],
  );
  assert.ok(
    progress
      .filter((p) => p.number === 1)
      .every((p) => typeof p.metrics.alpha_entropy === 'number' && typeof p.metrics.supernet_train_loss === 'number'),
  );
  assert.is(progress.filter((p) => p.number === 1).length, 2);
  assert.is(derived.state, 'complete');
  assert.is(derived.info?.origin, 'darts-derived');
  assert.equal(derived.arch, (sn.info?.derived as unknown[])[0]);
  assert.ok(derived.metrics.accuracy > 0);
  assert.is(s.best?.number, 2);
  store.close();
});

test.run();
