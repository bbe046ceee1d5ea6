// Single-path helpers of the weight-sharing searches: the network a cell path computes
// (effectiveKey, cases in test/fixtures/oneshot/effective-keys.json), and the order of shared-weight
// scores (ties broken by the loss).

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { effectiveKey } from '../engine/training/oneshot/paths.js';
import { byScore, rankValue, type ScoredPath } from '../engine/training/oneshot/search.js';

const OPS = ['none', 'skip_connect', 'nor_conv_1x1', 'nor_conv_3x3', 'avg_pool_3x3'];

interface Fixture {
  rows: string[];
  cases: { why: string; path: string[]; effective: string[] }[];
}
const fixture = JSON.parse(
  readFileSync(new URL('../../test/fixtures/oneshot/effective-keys.json', import.meta.url), 'utf8'),
) as Fixture;

for (const c of fixture.cases) {
  test(`effectiveKey: ${c.why}`, () => {
    const columns = fixture.rows.map(() => OPS);
    const path = c.path.map((op) => OPS.indexOf(op));
    assert.is(effectiveKey(fixture.rows, columns, path), c.effective.join(','));
  });
}

test('effectiveKey: two paths that differ only on edges that add nothing share a key', () => {
  const columns = fixture.rows.map(() => OPS);
  const a = [0, 3, 1, 0, 4, 2]; // node 1 zero: 2<-1 and 3<-1 add nothing
  const b = [0, 3, 3, 0, 2, 2];
  assert.is(effectiveKey(fixture.rows, columns, a), effectiveKey(fixture.rows, columns, b));
  assert.is.not(effectiveKey(fixture.rows, columns, a), effectiveKey(fixture.rows, columns, [1, 3, 1, 0, 4, 2]));
});

test('effectiveKey: rows that are not cell edges (chain slots) give null', () => {
  assert.is(effectiveKey(['slot0', 'slot1'], [OPS, OPS], [1, 2]), null);
});

test('ranking: a tie on shared-weight accuracy goes to the lower loss', () => {
  const p = (score: number, loss: number, id: number): ScoredPath => ({ path: [id], arch: id, score, loss });
  const sorted = [p(0.9, 0.3, 1), p(0.95, 0.5, 2), p(0.9, 0.2, 3), p(0.95, 0.4, 4)].sort(byScore);
  assert.equal(
    sorted.map((s) => s.arch),
    [4, 2, 3, 1],
  );
});

test('rank_by: the likelihood orders two paths with one accuracy by their loss; accuracy mode keeps the accuracy', () => {
  const sure = { accuracy: 0.975, loss: 0.08 };
  const unsure = { accuracy: 0.975, loss: 0.3 };
  assert.ok(rankValue({ rank_by: 'likelihood' }, sure) > rankValue({ rank_by: 'likelihood' }, unsure));
  assert.ok(Math.abs(rankValue({ rank_by: 'likelihood' }, sure) - Math.exp(-0.08)) < 1e-12);
  assert.is(rankValue({ rank_by: 'accuracy' }, sure), rankValue({ rank_by: 'accuracy' }, unsure));
  assert.is(rankValue({ rank_by: 'accuracy' }, sure), 0.975);
});

test.run();
