// Ranking quality of weight sharing: Kendall's tau-b and Spearman's rho against scipy's values
// (test/fixtures/ranking/correlations.json), which trials count, and a tiny ENAS run on digits whose
// run info holds the figures that `nas status` and the report show.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { kendallTau, rankingQuality, rankingsOf, spearmanRho } from '../engine/core/ranking.js';
import type { TrialRecord } from '../engine/core/types.js';
import { loadWorkflow } from '../engine/workflow/index.js';
import { Store } from '../engine/store/store.js';
import { startRun } from '../engine/search/run.js';
import { statusCommand } from '../engine/cli/inspect.js';
import { collectReport, renderMarkdown } from '../engine/report/index.js';
import { FIXTURES, ROOT, scratch } from './helpers/paths.js';

interface Case {
  a: number[];
  b: number[];
  kendall_tau: number;
  spearman_rho: number;
}

const cases = (JSON.parse(readFileSync(join(FIXTURES, 'ranking', 'correlations.json'), 'utf8')) as { cases: Case[] })
  .cases;

for (const c of cases) {
  test(`kendall tau-b and spearman rho match scipy on ${JSON.stringify(c.a)} vs ${JSON.stringify(c.b)}`, () => {
    assert.ok(Math.abs(kendallTau(c.a, c.b) - c.kendall_tau) < 1e-6, `tau ${kendallTau(c.a, c.b)} vs ${c.kendall_tau}`);
    assert.ok(
      Math.abs(spearmanRho(c.a, c.b) - c.spearman_rho) < 1e-6,
      `rho ${spearmanRho(c.a, c.b)} vs ${c.spearman_rho}`,
    );
  });
}

function trial(n: number, ws: number | undefined, loss: number | null, origin = 'enas-derived'): TrialRecord {
  return {
    number: n,
    key: `k${n}`,
    arch: {},
    state: loss === null ? 'failed' : 'complete',
    metrics: loss === null ? {} : { loss },
    seed: 0,
    attempts: 1,
    startedAt: 0,
    info: ws === undefined ? { origin: 'random' } : { origin, ws_score: ws },
  };
}

test('ranking quality: only complete trials with a shared-weight score count, in the objective’s direction', () => {
  const obj = { metric: 'loss', mode: 'min' as const };
  assert.is(rankingQuality(obj, [trial(1, undefined, 0.3)]), null);
  // higher shared-weight accuracy <-> lower stand-alone loss: a perfect ranking for mode min
  const q = rankingQuality(obj, [
    trial(1, 0.9, 0.1),
    trial(2, 0.8, 0.2),
    trial(3, 0.7, 0.3, 'rank-check'),
    trial(4, 0.95, null),
    trial(5, undefined, 0.05),
  ]);
  assert.equal(q, { n: 3, kendall_tau: 1, spearman_rho: 1, rank_check: 1 });
  assert.equal(rankingQuality(obj, [trial(1, 0.9, 0.1)]), {
    n: 1,
    kendall_tau: null,
    spearman_rho: null,
    rank_check: 0,
  });
});

test('a tiny enas run on digits stores kendall_tau in the run info; nas status and the report show it', async () => {
  const dir = scratch('ranking');
  try {
    const base = loadWorkflow(join(ROOT, 'workflows', 'digits-enas.yaml'));
    const wf = {
      ...base,
      strategy: {
        type: 'enas',
        epochs: 2,
        warmup: 1,
        max_steps: 4,
        controller_steps: 2,
        sample: 6,
        candidates: 2,
        rank_check: 2,
        score_examples: 100,
        skeleton: { channels: 4, cells: 1, stages: 1 },
      },
      evaluation: { ...base.evaluation, epochs: 1 },
      budget: { trials: 5, failures: 0 },
    };
    const file = join(dir, 'store.sqlite');
    const store = Store.open(file);
    const run = await startRun(store, wf);
    assert.is(run.status, 'complete', run.reason ?? '');
    const trials = store.trials(run.run, '');
    assert.equal(
      trials.map((t) => t.info?.origin),
      ['enas-supernet', 'enas-derived', 'enas-derived', 'rank-check', 'rank-check'],
    );
    const [r] = rankingsOf(store.getRun(run.run)!.info);
    assert.is(r.stage, '');
    assert.is(r.n, 4);
    assert.is(r.rank_check, 2);
    // whatever its value, it is a correlation of the trials' own figures
    const ws = trials.slice(1).map((t) => t.info!.ws_score as number);
    const alone = trials.slice(1).map((t) => t.metrics.accuracy);
    assert.is(r.kendall_tau, Math.round(kendallTau(ws, alone) * 10000) / 10000);
    const md = renderMarkdown(collectReport(store, store.getRun(run.run)!));
    store.close();
    assert.match(md, /kendall_tau/);
    const out = new PassThrough();
    let text = '';
    out.on('data', (b: Buffer) => (text += b.toString()));
    assert.is(statusCommand(undefined, { store: file }, { stdout: out, stderr: new PassThrough() }), 0);
    assert.match(
      text,
      /shared-weight ranking vs stand-alone training over 4 architectures, 2 of them rank-check: kendall_tau/,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
