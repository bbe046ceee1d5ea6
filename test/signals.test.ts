// Signals and time budgets with an evaluator that settles at once (a benchmark table without delay):
// the loop must still serve timers and signal handlers between evaluations.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { existsSync } from 'node:fs';
import { Store } from '../engine/store/store.js';
import { atDeadline, MAX_TIMER_MS } from '../engine/search/deadline.js';
import { FIXTURES, NAS_BIN, scratch } from './helpers/paths.js';

const SYNC = join(FIXTURES, 'engine', 'nb201-sync.yaml');
const SYNC_TIME = join(FIXTURES, 'engine', 'nb201-sync-time.yaml');

interface Exit {
  code: number | null;
  /** ms from spawn to exit */
  wall: number;
  /** ms from the signal to exit */
  afterSignal?: number;
  stdout: string;
}

/** Runs `nas ARGS`; with `signalAfter`, sends SIGINT that many ms after the first trial finished. */
function nas(args: string[], signalAfter?: number): Promise<Exit> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const child = spawn(process.execPath, [NAS_BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let sentAt: number | undefined;
    let armed = false;
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => {
      if (signalAfter === undefined || armed || !/^trial \d+ /m.test(d.toString())) return;
      armed = true;
      setTimeout(() => {
        sentAt = Date.now();
        child.kill('SIGINT');
      }, signalAfter);
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      const now = Date.now();
      resolve({ code, wall: now - started, stdout, ...(sentAt ? { afterSignal: now - sentAt } : {}) });
    });
  });
}

function lastJson(out: string): Record<string, unknown> {
  return JSON.parse(out.trim().split('\n').pop() as string) as Record<string, unknown>;
}

test('SIGINT stops a run of instant evaluations within 1 s, and resume completes the budget', async () => {
  const store = join(scratch('signals'), 'sync.sqlite');
  const first = await nas(['run', SYNC, '--store', store, '--json'], 1000);
  assert.is(first.code, 130, first.stdout);
  assert.ok(
    first.afterSignal !== undefined && first.afterSignal < 1000,
    `stopped ${first.afterSignal} ms after SIGINT`,
  );
  const stopped = lastJson(first.stdout);
  assert.is(stopped.status, 'stopped');
  assert.ok((stopped.trials as number) < 8000, `only ${String(stopped.trials)} of 8000 trials before the signal`);
  const r = spawnSync(process.execPath, [NAS_BIN, 'resume', '--store', store, '--json'], {
    encoding: 'utf8',
    timeout: 120_000,
  });
  assert.is(r.status, 0, r.stderr.slice(-500));
  const done = lastJson(r.stdout);
  assert.is(done.status, 'complete');
  assert.is(done.trials, 8000);
  const s = Store.open(store);
  try {
    const trials = s.trials(s.latestRun()!.id, '');
    assert.is(trials.length, 8000);
    assert.is(new Set(trials.map((t) => t.key)).size, 8000, 'no architecture evaluated twice');
  } finally {
    s.close();
  }
});

test('a time budget of 2 s stops a run of instant evaluations after 2 to 3 s', async () => {
  const store = join(scratch('signals'), 'time.sqlite');
  const r = await nas(['run', SYNC_TIME, '--store', store, '--json']);
  assert.is(r.code, 0, r.stdout);
  const out = lastJson(r.stdout);
  assert.is(out.status, 'complete');
  assert.match(String(out.reason), /time budget of 2s reached/);
  const s = Store.open(store);
  try {
    const elapsed = s.latestRun()!.elapsedMs;
    assert.ok(elapsed >= 2000 && elapsed <= 3000, `search time ${elapsed} ms`);
  } finally {
    s.close();
  }
});

test('a time budget of 600h does not end the run at once', async () => {
  const store = join(scratch('signals'), 'long.sqlite');
  const r = await nas(['run', join(FIXTURES, 'engine', 'tiny-long-time.yaml'), '--store', store, '--json']);
  assert.is(r.code, 0);
  const out = lastJson(r.stdout);
  assert.is(out.trials, 5);
  assert.match(String(out.reason), /trial budget of 5 reached/);
});

test("kill -9 before any trial finished keeps the session's search time", async () => {
  const store = join(scratch('signals'), 'slow.sqlite');
  const child = spawn(
    process.execPath,
    [NAS_BIN, 'run', join(FIXTURES, 'engine', 'nb201-hour-trials.yaml'), '--store', store],
    {
      stdio: 'ignore',
    },
  );
  // wait for the first trial to start, then 2.5 s more
  for (let started = false; !started; await new Promise((r) => setTimeout(r, 100))) {
    if (!existsSync(store)) continue;
    try {
      const s = Store.open(store, 'read');
      started = (s.latestRun() && s.trialCounts(s.latestRun()!.id).running > 0) || false;
      s.close();
    } catch {
      // the run is still creating the store
    }
  }
  await new Promise((r) => setTimeout(r, 2500));
  child.kill('SIGKILL');
  await new Promise((r) => child.on('exit', r));
  const s = Store.open(store, 'read');
  try {
    const run = s.latestRun()!;
    assert.is(s.trialCounts(run.id).complete, 0, 'no trial finished');
    assert.ok(run.elapsedMs >= 1500, `recorded ${run.elapsedMs} ms of search`);
  } finally {
    s.close();
  }
});

test('a deadline beyond the timer limit does not fire early', async () => {
  let fired = 0;
  const cancel = atDeadline(Date.now() + MAX_TIMER_MS * 3, () => fired++);
  const cancelSoon = atDeadline(Date.now() + 20, () => fired++);
  await new Promise((r) => setTimeout(r, 60));
  cancel();
  cancelSoon();
  assert.is(fired, 1, 'only the 20 ms deadline fired');
});

test.run();
