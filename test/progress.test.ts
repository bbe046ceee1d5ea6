// The terminal's live status of a running search (what listr2 redraws): bar, done/budget, elapsed,
// ETA, best so far, and one line per running trial with its epoch.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { LiveStatus } from '../engine/cli/progress.js';
import type { TrialRecord } from '../engine/core/types.js';

const trial = (number: number, accuracy?: number): TrialRecord => ({
  number,
  key: `k${number}`,
  arch: { ops: ['nor_conv_3x3'] },
  state: accuracy === undefined ? 'running' : 'complete',
  metrics: accuracy === undefined ? {} : { accuracy },
  seed: number,
  attempts: 1,
  startedAt: 0,
});

test('bar, counts, ETA from the mean time per trial, best so far, running trials with their epoch', () => {
  const t0 = Date.now();
  const s = new LiveStatus(10, 'accuracy');
  s.onEvent({ type: 'trial-started', trial: trial(1) }, t0);
  s.onEvent({ type: 'trial-started', trial: trial(2) }, t0);
  s.onEvent({ type: 'trial-progress', number: 2, step: 3, metrics: { accuracy: 0.912345, loss: 0.3 } }, t0);
  const best = { ...trial(1, 0.95916664), state: 'complete' as const };
  s.onEvent({ type: 'trial-finished', trial: best, best, finished: 1 }, t0);
  const [bar, ...running] = s.text(t0 + 20_000).split('\n');
  assert.match(bar, /^\[##\.{22}\] 1\/10 trials, elapsed 2\ds, ETA \d+m\d\ds, best accuracy=0\.9592 \(#1\)$/);
  assert.equal(running, ['  trial #2: epoch 3 accuracy=0.9123 loss=0.3']);
  assert.not.match(s.summary(t0 + 20_000, true), /ETA/, 'the final line has no ETA');
});

test('a resumed run: trials done before this session do not speed up the ETA', () => {
  const t0 = Date.now();
  const s = new LiveStatus(20, 'accuracy');
  const t = { ...trial(11, 0.5), state: 'complete' as const };
  s.onEvent({ type: 'trial-finished', trial: t, best: t, finished: 11 }, t0);
  // one trial in this session's ~10 s: 9 left take ~90 s
  assert.match(s.summary(t0 + 10_000), /11\/20 trials, .*ETA 1m[23]\ds/);
});

test.run();
