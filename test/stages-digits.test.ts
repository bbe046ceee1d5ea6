// The three-stage example on builtin:digits (workflows/digits-three-stage.yaml): proxy screening of 24
// candidates, one-epoch training of the top 6, five-epoch retraining of the top 3. Takes about 25 s on
// 2 cores (the longest test of the stages work).

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { Store } from '../engine/store/store.js';
import { lineageOf } from '../engine/search/lineage.js';
import { NAS_BIN, ROOT, scratch } from './helpers/paths.js';

test('digits-three-stage completes; the final best was retrained for 5 epochs and its lineage leads back to stage one', () => {
  const dir = scratch('digits-three');
  try {
    const storePath = join(dir, 'store.sqlite');
    const t0 = Date.now();
    const r = spawnSync(
      process.execPath,
      [NAS_BIN, 'run', join(ROOT, 'workflows', 'digits-three-stage.yaml'), '--store', storePath, '--json'],
      { encoding: 'utf8', timeout: 240_000 },
    );
    assert.is(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout.trim().split('\n').pop()!);
    assert.is(out.status, 'complete');
    assert.is(out.trials, 33);
    const store = Store.open(storePath);
    const run = store.latestRun()!;
    const screen = store.trials(run.id, 'screen');
    const quick = store.trials(run.id, 'quick');
    const retrain = store.trials(run.id, 'retrain');
    assert.equal([screen.length, quick.length, retrain.length], [24, 6, 3]);
    assert.ok(
      screen.every((t) => t.metrics.naswot !== undefined && t.metrics.accuracy === undefined),
      'stage one only screens',
    );
    assert.ok(quick.every((t) => t.state === 'complete' && t.curve?.length === 1));
    assert.ok(retrain.every((t) => t.state === 'complete' && t.curve?.length === 5));
    const best = retrain.find((t) => t.key === out.best.key)!;
    assert.is(best.metrics.accuracy, Math.max(...retrain.map((t) => t.metrics.accuracy)));
    const chain = lineageOf(store.allTrials(run.id), 'retrain', best.number);
    assert.equal(
      chain.map((c) => c.stage),
      ['retrain', 'quick', 'screen'],
    );
    assert.equal(new Set(chain.map((c) => c.key)).size, 1, 'the same architecture, re-evaluated');
    const measured = {
      seconds: Math.round((Date.now() - t0) / 1000),
      best: {
        accuracy: best.metrics.accuracy,
        params: best.metrics.params,
        quick: quick.find((t) => t.key === best.key)?.metrics.accuracy,
        naswot: screen.find((t) => t.key === best.key)?.metrics.naswot,
      },
      lineage: chain.map((c) => `${c.stage}#${c.number}`).join(' <- '),
    };
    console.log(`digits-three-stage: ${JSON.stringify(measured)}`);
    assert.ok(best.metrics.accuracy > 0.9, String(best.metrics.accuracy));
    store.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
