// Crash safety through the real command line: kill -9 or Ctrl-C mid-run, then `nas resume`.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { rmSync } from 'node:fs';
import { Store } from '../engine/store/store.js';
import type { TrialRecord } from '../engine/core/types.js';
import { FIXTURES, NAS_BIN, scratch } from './helpers/paths.js';

const WORKFLOW = join(FIXTURES, 'engine', 'nb201-slow.yaml');
const BUDGET = 120;

/** Starts `nas run`, waits until `after` trials have finished (plain progress lines), then sends `signal`. */
function runAndInterrupt(
  storePath: string,
  after: number,
  signal: NodeJS.Signals,
): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [NAS_BIN, 'run', WORKFLOW, '--store', storePath, '--json'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    let sent = false;
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      const finished = (stderr.match(/^trial \d+ /gm) ?? []).length;
      if (!sent && finished >= after) {
        sent = true;
        child.kill(signal);
      }
    });
    child.on('error', reject);
    child.on('exit', (code, sig) => resolve({ code, signal: sig, stderr }));
  });
}

function finalTrials(storePath: string): TrialRecord[] {
  const store = Store.open(storePath);
  try {
    const run = store.latestRun();
    return run ? store.trials(run.id, '').filter((t) => t.state !== 'running') : [];
  } finally {
    store.close();
  }
}

function resume(storePath: string) {
  const r = spawnSync(process.execPath, [NAS_BIN, 'resume', '--store', storePath, '--json'], {
    encoding: 'utf8',
    timeout: 120_000,
  });
  return {
    code: r.status,
    json: r.stdout.trim() ? (JSON.parse(r.stdout.trim().split('\n').pop() as string) as Record<string, unknown>) : null,
    stderr: r.stderr,
  };
}

function checkComplete(storePath: string, before: TrialRecord[]) {
  const store = Store.open(storePath);
  const run = store.latestRun();
  assert.ok(run);
  const trials = store.trials(run!.id, '');
  store.close();
  assert.is(run!.status, 'complete');
  assert.is(trials.length, BUDGET, 'exactly the budget');
  assert.ok(trials.every((t) => t.state === 'complete'));
  assert.equal(
    trials.map((t) => t.number),
    Array.from({ length: BUDGET }, (_, i) => i + 1),
    'dense numbers, no duplicate',
  );
  assert.is(new Set(trials.map((t) => t.key)).size, BUDGET, 'no key twice');
  const byNumber = new Map(trials.map((t) => [t.number, t]));
  for (const t of before) assert.equal(byNumber.get(t.number), t, `trial ${t.number} unchanged by resume`);
}

test('kill -9 mid-run, then resume: exactly the budget, no duplicates, earlier trials unchanged', async () => {
  const dir = scratch('kill');
  const storePath = join(dir, 'store.sqlite');
  try {
    const killed = await runAndInterrupt(storePath, 40, 'SIGKILL');
    assert.is(killed.signal, 'SIGKILL');
    const before = finalTrials(storePath);
    assert.ok(before.length >= 40 && before.length < BUDGET, `killed mid-way (${before.length} final trials)`);
    const r = resume(storePath);
    assert.is(r.code, 0, r.stderr);
    assert.is(r.json?.status, 'complete');
    assert.is(r.json?.trials, BUDGET);
    checkComplete(storePath, before);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('Ctrl-C stops cleanly (exit 130, run stopped), then resume completes it', async () => {
  const dir = scratch('sigint');
  const storePath = join(dir, 'store.sqlite');
  try {
    const stopped = await runAndInterrupt(storePath, 30, 'SIGINT');
    assert.is(stopped.code, 130, stopped.stderr);
    const store = Store.open(storePath);
    const run = store.latestRun();
    store.close();
    assert.is(run?.status, 'stopped');
    const before = finalTrials(storePath);
    const r = resume(storePath);
    assert.is(r.code, 0, r.stderr);
    checkComplete(storePath, before);
    // Resuming a complete run does no more work.
    const again = resume(storePath);
    assert.is(again.code, 0, again.stderr);
    assert.is(again.json?.trials, BUDGET);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the command line reports problems in one line, without a stack trace', () => {
  const r = spawnSync(process.execPath, [NAS_BIN, 'resume', '--store', '/nonexistent/store.sqlite'], {
    encoding: 'utf8',
  });
  assert.is(r.status, 2);
  assert.match(r.stderr, /^nas: store \/nonexistent\/store.sqlite does not exist\n$/);
  const u = spawnSync(process.execPath, [NAS_BIN, 'frobnicate'], { encoding: 'utf8' });
  assert.is(u.status, 2);
  assert.not.match(u.stderr, /at .*\.js:\d+/);
});

test.run();
