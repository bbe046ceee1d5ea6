// Multi-stage workflows: stages run in order with their own sections, a stage `from` an earlier one is
// seeded with its best trials (recorded as lineage), `nas resume` after kill -9 continues the stage that
// was interrupted without running finished stages again, and bad `from` references fail validation.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { loadWorkflow, checkWorkflowText } from '../engine/workflow/index.js';
import { Store } from '../engine/store/store.js';
import { resumeRun, startRun } from '../engine/search/run.js';
import { rankedTrials } from '../engine/search/stages.js';
import { stageWorkflow } from '../engine/core/stages.js';
import { lineageOf } from '../engine/search/lineage.js';
import { FIXTURES, NAS_BIN, scratch } from './helpers/paths.js';
import { statusCommand } from '../engine/cli/inspect.js';
import { PassThrough } from 'node:stream';

const WF = join(FIXTURES, 'stages', 'nb201-stages.yaml');
const SLOW = join(FIXTURES, 'stages', 'nb201-stages-slow.yaml');
const TIMED = join(FIXTURES, 'stages', 'nb201-stage-time.yaml');
const BUDGETS: Record<string, number> = { screen: 25, evolve: 20, final: 3 };

test('stage sections merge over the workflow: same type merges, another type replaces', () => {
  const wf = loadWorkflow(WF);
  assert.equal(
    wf.stages!.map((s) => s.name),
    ['screen', 'evolve', 'final'],
  );
  const [screen, evolve, final] = wf.stages!;
  assert.equal(screen.strategy, { type: 'random' });
  assert.is(evolve.strategy.type, 'regularized-evolution');
  assert.is(evolve.evaluation.metric, 'cifar10');
  assert.is(evolve.evaluation.delay_ms, 5, 'inherited from the workflow');
  assert.is(final.evaluation.delay_ms, 20);
  assert.equal(final.from, { stage: 'evolve', top: 3 });
  assert.equal(final.budget, { trials: 3, failures: 5 });
  assert.is(stageWorkflow(wf, final).budget.trials, 3);
});

test('nas status shows each stage with its own trial budget', async () => {
  const dir = scratch('stage-status');
  const file = join(dir, 'runs.sqlite');
  const store = Store.open(file);
  await startRun(store, loadWorkflow(WF));
  store.close();
  const capture = (json: boolean) => {
    const out = new PassThrough();
    let text = '';
    out.on('data', (b: Buffer) => (text += b.toString()));
    assert.is(statusCommand(undefined, { store: file, json }, { stdout: out, stderr: new PassThrough() }), 0);
    return text;
  };
  const [row] = JSON.parse(capture(true)) as {
    stages: { stage: string; status: string; budget: { trials: number }; trials: { complete: number } }[];
  }[];
  assert.equal(
    row.stages.map((st) => [st.stage, st.status, st.budget.trials, st.trials.complete]),
    Object.entries(BUDGETS).map(([name, n]) => [name, 'complete', n, n]),
  );
  const text = capture(false);
  assert.match(text, /\n +stage screen +complete \(trial budget of 25 reached\) +25\/25 +25 /);
  assert.match(text, /\n +1 +nb201-stages +complete \(3 stages done\) +48 +48 /, 'the run in all');
  assert.not.match(text, /\/30 /, "the workflow's own trial budget applies to no stage");
  rmSync(dir, { recursive: true, force: true });
});

test('three stages run in order; seeds are the best of the earlier stage; the best lineage leads to stage one', async () => {
  const store = Store.open(':memory:');
  const wf = loadWorkflow(WF);
  const s = await startRun(store, wf);
  assert.is(s.status, 'complete', s.reason);
  assert.is(s.trials, 48);
  for (const [stage, n] of Object.entries(BUDGETS)) assert.is(store.trials(s.run, stage).length, n, stage);
  assert.equal(
    store.stages(s.run).map((r) => [r.stage, r.status]),
    [
      ['screen', 'complete'],
      ['evolve', 'complete'],
      ['final', 'complete'],
    ],
  );
  // evolve's first five trials are screen's top five (by cifar100), in rank order
  const top5 = rankedTrials(store, s.run, 'screen', [{ metric: 'accuracy', mode: 'max' }]).slice(0, 5);
  const seeds = store.trials(s.run, 'evolve').slice(0, 5);
  assert.equal(
    seeds.map((t) => t.key),
    top5.map((t) => t.key),
  );
  assert.equal(
    seeds.map((t) => (t.info?.from as { trial: number }).trial),
    top5.map((t) => t.number),
  );
  // the final stage re-evaluates exactly evolve's top three; the run's best is the best of them
  const final = store.trials(s.run, 'final');
  const top3 = rankedTrials(store, s.run, 'evolve', [{ metric: 'accuracy', mode: 'max' }]).slice(0, 3);
  assert.equal(new Set(final.map((t) => t.key)), new Set(top3.map((t) => t.key)));
  assert.is(s.best?.metrics.accuracy, Math.max(...final.map((t) => t.metrics.accuracy)));
  const best = final.find((t) => t.key === s.best!.key)!;
  const chain = lineageOf(store.allTrials(s.run), 'final', best.number);
  assert.is(chain[0].stage, 'final');
  assert.is(chain[1].stage, 'evolve');
  assert.is(chain[1].via, 'from');
  assert.is(chain[chain.length - 1].stage, 'screen', JSON.stringify(chain));
  store.close();
});

function runAndKill(storePath: string, when: (stderr: string) => boolean): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [NAS_BIN, 'run', SLOW, '--store', storePath, '--json'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    let sent = false;
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (!sent && when(stderr)) {
        sent = true;
        child.kill('SIGKILL');
      }
    });
    child.on('error', reject);
    child.on('exit', () => resolve(stderr));
  });
}

test('kill -9 in stage two, then resume: stage one is not run again, every stage gets exactly its budget', async () => {
  const dir = scratch('stages-kill');
  const storePath = join(dir, 'store.sqlite');
  try {
    await runAndKill(storePath, (err) => {
      const i = err.indexOf('stage evolve');
      return i >= 0 && (err.slice(i).match(/^trial \d+ /gm) ?? []).length >= 6;
    });
    let store = Store.open(storePath);
    const run = store.latestRun()!;
    const screenBefore = store.trials(run.id, 'screen');
    const evolveBefore = store.trials(run.id, 'evolve').filter((t) => t.state !== 'running');
    assert.is(screenBefore.length, 25);
    assert.ok(evolveBefore.length >= 6 && evolveBefore.length < 20, String(evolveBefore.length));
    assert.is(store.trials(run.id, 'final').length, 0);
    store.close();
    const r = spawnSync(process.execPath, [NAS_BIN, 'resume', '--store', storePath, '--json'], {
      encoding: 'utf8',
      timeout: 120_000,
    });
    assert.is(r.status, 0, r.stderr);
    const json = JSON.parse(r.stdout.trim().split('\n').pop()!);
    assert.is(json.status, 'complete');
    assert.is(json.trials, 48);
    assert.not.match(r.stderr, /stage screen/, 'a finished stage is not run again');
    store = Store.open(storePath);
    for (const [stage, n] of Object.entries(BUDGETS)) {
      const trials = store.trials(run.id, stage);
      assert.is(trials.length, n, stage);
      assert.ok(
        trials.every((t) => t.state === 'complete'),
        stage,
      );
      assert.equal(
        trials.map((t) => t.number),
        Array.from({ length: n }, (_, i) => i + 1),
      );
    }
    assert.equal(store.trials(run.id, 'screen'), screenBefore, 'stage one unchanged');
    const evolveAfter = new Map(store.trials(run.id, 'evolve').map((t) => [t.number, t]));
    for (const t of evolveBefore) assert.equal(evolveAfter.get(t.number), t);
    const best = store.trials(run.id, 'final').find((t) => t.key === json.best.key)!;
    assert.is(lineageOf(store.allTrials(run.id), 'final', best.number).pop()!.stage, 'screen');
    store.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('resume with a grown budget for the last stage adds trials to it (finished earlier stages stay as they are)', async () => {
  const store = Store.open(':memory:');
  const wf = loadWorkflow(WF);
  const s = await startRun(store, wf);
  const before = store.allTrials(s.run).length;
  const grown = {
    ...wf,
    stages: wf.stages!.map((st) =>
      st.name === 'final' ? { ...st, from: { stage: 'evolve', top: 3 }, budget: { ...st.budget, trials: 6 } } : st,
    ),
    source: { ...wf.source, hash: 'grown' },
  };
  const r = await resumeRun(store, s.run, grown);
  assert.is(r.status, 'complete', r.reason);
  assert.is(store.trials(s.run, 'final').length, 6);
  assert.is(store.allTrials(s.run).length, before + 3);
  const shrunk = {
    ...grown,
    stages: grown.stages.map((st) => (st.name === 'evolve' ? { ...st, budget: { ...st.budget, trials: 2 } } : st)),
    source: { ...wf.source, hash: 'shrunk' },
  };
  try {
    await resumeRun(store, s.run, shrunk);
    assert.unreachable('a shrunk stage budget is refused');
  } catch (e) {
    assert.match((e as Error).message, /stages\[1\]\.budget\.trials shrank \(20 -> 2\)/);
  }
  store.close();
});

test("a stage's own time budget ends that stage and the run goes on; a grown one continues it on resume", async () => {
  const store = Store.open(':memory:');
  const wf = loadWorkflow(TIMED);
  assert.is(wf.stages![0].budget.stageTime, 1.5);
  assert.is(wf.stages![1].budget.stageTime, undefined, 'a stage without its own time budget has none');
  const s = await startRun(store, wf);
  assert.is(s.status, 'complete', s.reason);
  const [screen, final] = store.stages(s.run);
  assert.is(screen.status, 'complete');
  assert.is(screen.reason, 'stage time budget of 1.5s reached');
  assert.ok(screen.elapsedMs >= 1500 && screen.elapsedMs < 5000, `screen searched for ${screen.elapsedMs} ms`);
  const screened = store.trials(s.run, 'screen').length;
  assert.ok(screened > 10 && screened < 1000, `${screened} screening trials`);
  assert.is(final.reason, 'trial budget of 3 reached');
  assert.is(store.trials(s.run, 'final').length, 3);
  // the last stage started is final, so a grown screening budget does not reopen screen
  const grown = {
    ...wf,
    stages: wf.stages!.map((st) => (st.name === 'screen' ? { ...st, budget: { ...st.budget, stageTime: 3 } } : st)),
    source: { ...wf.source, hash: 'grown' },
  };
  await resumeRun(store, s.run, grown);
  assert.is(store.trials(s.run, 'screen').length, screened);
  const shrunk = {
    ...wf,
    stages: wf.stages!.map((st) => (st.name === 'screen' ? { ...st, budget: { ...st.budget, stageTime: 1 } } : st)),
    source: { ...wf.source, hash: 'shrunk' },
  };
  try {
    await resumeRun(store, s.run, shrunk);
    assert.unreachable('a shrunk stage time budget is refused');
  } catch (e) {
    assert.match((e as Error).message, /stages\[0\]\.budget\.time shrank \(3s -> 1s\)/);
  }
  store.close();
});

test('a stage stopped by its time budget while it is the last one started continues when the budget grows', async () => {
  const store = Store.open(':memory:');
  const wf = loadWorkflow(TIMED);
  const oneStage = { ...wf, stages: [wf.stages![0]] };
  const s = await startRun(store, oneStage);
  const before = store.trials(s.run, 'screen').length;
  const spent = store.stages(s.run)[0].elapsedMs;
  const grown = {
    ...oneStage,
    stages: [{ ...oneStage.stages[0], budget: { ...oneStage.stages[0].budget, stageTime: 2.5 } }],
    source: { ...wf.source, hash: 'grown' },
  };
  const r = await resumeRun(store, s.run, grown);
  assert.is(r.status, 'complete', r.reason);
  const [screen] = store.stages(s.run);
  assert.is(screen.reason, 'stage time budget of 2.5s reached');
  assert.ok(screen.elapsedMs >= 2500 && screen.elapsedMs > spent, `${screen.elapsedMs} ms in all`);
  assert.ok(store.trials(s.run, 'screen').length > before, 'the resumed stage ran more trials');
  store.close();
});

const BASE = `name: s
space: { kind: cell, preset: nb201 }
strategy: { type: random }
evaluation: { type: benchmark, table: ${join(FIXTURES, '..', '..', 'workflows', 'benchmarks', 'nb201-cifar.csv')}, metric: cifar10 }
`;

test('stage problems are reported at their place: from, names, inherited sections', () => {
  const check = (stages: string) =>
    checkWorkflowText(BASE + stages, '/tmp/w.yaml').problems.map((p) => `${p.line}:${p.col} ${p.message}`);
  assert.equal(check('stages:\n  - name: a\n  - name: b\n    from: { stage: a, top: 2 }\n'), []);
  const unknown = check('stages:\n  - name: a\n  - name: b\n    from: { stage: aa }\n');
  assert.is(unknown.length, 1);
  assert.match(unknown[0], /^8:20 stages\[1\]\.from\.stage "aa" names no stage; did you mean "a"/);
  const later = check('stages:\n  - name: a\n    from: { stage: b }\n  - name: b\n');
  assert.match(later[0], /^7:20 .*"b" is not an earlier stage/);
  const twice = check('stages:\n  - name: a\n  - name: a\n');
  assert.match(twice[0], /^7:11 stage name "a" is used twice/);
  const bad = check('stages:\n  - name: a\n    strategy: { type: random, population: 3 }\n    budget: { trials: 0 }\n');
  assert.equal(
    bad.map((p) => p.split(' ')[0]),
    ['7:31', '8:23'],
  );
  const objective = check('stages:\n  - name: a\n    evaluation: { metric: cifar100, report_as: acc }\n');
  assert.match(objective[0], /^7:5 stage "a": objective.metric defaults to "accuracy"/);
});

test.run();
