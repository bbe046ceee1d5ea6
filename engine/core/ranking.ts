// How well a weight-sharing search ranked its architectures: the rank correlation between the
// shared-weight scores a one-shot strategy gave (info.ws_score on the trials it proposed) and the
// same architectures' stand-alone results (their trials' objective). Kendall's tau-b and Spearman's
// rho, both with ties handled; written by hand (two short formulas) rather than pulling in a
// statistics package for them.

import type { JsonObject, Objective, TrialRecord } from './types.js';
import { trialScore } from './trial.js';

/** Kendall's tau-b of two equally long samples (ties in either count as neither concordant nor discordant). */
export function kendallTau(a: readonly number[], b: readonly number[]): number {
  let concordant = 0;
  let discordant = 0;
  let tiesA = 0;
  let tiesB = 0;
  for (let i = 0; i < a.length; i++) {
    for (let j = i + 1; j < a.length; j++) {
      const da = Math.sign(a[i] - a[j]);
      const db = Math.sign(b[i] - b[j]);
      if (da === 0 && db === 0) continue;
      if (da === 0) tiesA++;
      else if (db === 0) tiesB++;
      else if (da === db) concordant++;
      else discordant++;
    }
  }
  const denom = Math.sqrt((concordant + discordant + tiesA) * (concordant + discordant + tiesB));
  return denom > 0 ? (concordant - discordant) / denom : NaN;
}

/** Ranks from 1, ties sharing their average rank. */
function ranks(x: readonly number[]): number[] {
  const order = x.map((v, i) => [v, i] as const).sort((p, q) => p[0] - q[0]);
  const out = new Array<number>(x.length);
  for (let i = 0; i < order.length;) {
    let j = i;
    while (j + 1 < order.length && order[j + 1][0] === order[i][0]) j++;
    for (let k = i; k <= j; k++) out[order[k][1]] = (i + j) / 2 + 1;
    i = j + 1;
  }
  return out;
}

/** Spearman's rho: Pearson's correlation of the (tie-averaged) ranks. */
export function spearmanRho(a: readonly number[], b: readonly number[]): number {
  const ra = ranks(a);
  const rb = ranks(b);
  const n = a.length;
  const ma = ra.reduce((s, v) => s + v, 0) / n;
  const mb = rb.reduce((s, v) => s + v, 0) / n;
  let num = 0;
  let da = 0;
  let db = 0;
  for (let i = 0; i < n; i++) {
    num += (ra[i] - ma) * (rb[i] - mb);
    da += (ra[i] - ma) ** 2;
    db += (rb[i] - mb) ** 2;
  }
  return da > 0 && db > 0 ? num / Math.sqrt(da * db) : NaN;
}

export interface RankingQuality {
  /** Architectures with both a shared-weight score and a stand-alone result. */
  n: number;
  /** NaN (stored as null) when fewer than 2 pairs or one side is constant. */
  kendall_tau: number | null;
  spearman_rho: number | null;
  /** How many of the pairs were extra rank-check architectures (`rank_check: M`). */
  rank_check: number;
}

const round = (x: number): number | null => (Number.isFinite(x) ? Math.round(x * 10000) / 10000 : null);

/**
 * The ranking quality of the trials that carry a shared-weight score (info.ws_score), against their
 * objective score; null when no trial carries one.
 */
export function rankingQuality(objective: Objective, trials: readonly TrialRecord[]): RankingQuality | null {
  const ws: number[] = [];
  const alone: number[] = [];
  let check = 0;
  let carried = 0;
  for (const t of trials) {
    const w = t.info?.ws_score;
    if (typeof w !== 'number') continue;
    carried++;
    const s = t.state === 'complete' ? trialScore(objective, t) : null;
    if (s === null) continue;
    ws.push(w);
    alone.push(s);
    if (t.info?.origin === 'rank-check') check++;
  }
  if (carried === 0) return null;
  return {
    n: ws.length,
    kendall_tau: ws.length >= 2 ? round(kendallTau(ws, alone)) : null,
    spearman_rho: ws.length >= 2 ? round(spearmanRho(ws, alone)) : null,
    rank_check: check,
  };
}

/** One stage's entry of a run's info.ranking ('' for a run without stages). */
export type StageRanking = RankingQuality & { stage: string };

/** The ranking entries of a run's info (none for runs without a one-shot strategy). */
export function rankingsOf(info: JsonObject | undefined): StageRanking[] {
  const r = info?.ranking;
  return Array.isArray(r) ? (r as unknown as StageRanking[]) : [];
}

const fmt = (x: number | null) => (x === null ? 'n/a' : x.toFixed(3));

/** One line for people: what `nas status` and the reports print. */
export function rankingText(r: StageRanking): string {
  const stage = r.stage ? `stage ${r.stage}: ` : '';
  const check = r.rank_check ? `, ${r.rank_check} of them rank-check` : '';
  return `${stage}shared-weight ranking vs stand-alone training over ${r.n} architectures${check}: kendall_tau ${fmt(r.kendall_tau)}, spearman_rho ${fmt(r.spearman_rho)}`;
}
