// From alphas to discrete architectures, and the collapse guard.
//
// Derivation (DARTS): on every edge the strongest op other than `none`; with inputs_per_node = k,
// each node keeps its k incoming edges whose strongest non-none op is strongest, the rest become
// `none`. More than one candidate: the next ones change, one at a time, the edges where the winner
// led the runner-up by the smallest margin (the least certain decisions).
//
// Collapse guard (DARTS+ early stopping, Liang et al. 2019): DARTS drifts towards parameter-free
// ops because skip connections make the supernet's weights train fastest, not because the derived
// network would be better (on NAS-Bench-201 it ends at the all-skip cell, 54.30% on CIFAR-10).
// DARTS+ stops the search when the derived cell holds `max_skip` (2) or more skip connections;
// here also when no parametric op is left on the cell. The derivation then uses the alphas of the
// last epoch before the collapse. Why this guard: it costs nothing per step (one derivation per
// epoch, against extra forward/backward passes for R-DARTS' Hessian eigenvalue tracking or SDARTS'
// perturbations, which a 2-core wasm budget cannot pay), it targets exactly the failure named, and
// it leaves the stored alphas per epoch showing when and why the search stopped. beta-DARTS' Beta-
// Decay regularisation (Ye et al. 2022) is available beside it (`beta_decay`), as a soft guard.

export function softmaxRows(alpha: readonly (readonly number[])[]): number[][] {
  return alpha.map((row) => {
    const m = Math.max(...row);
    const e = row.map((v) => Math.exp(v - m));
    const s = e.reduce((a, b) => a + b, 0);
    return e.map((v) => v / s);
  });
}

/** Mean normalised entropy of softmax(alpha) over rows: 1 = uniform, 0 = one-hot. */
export function alphaEntropy(alpha: readonly (readonly number[])[]): number {
  const w = softmaxRows(alpha);
  let total = 0;
  for (const row of w) {
    const h = -row.reduce((a, p) => a + (p > 0 ? p * Math.log(p) : 0), 0);
    total += row.length > 1 ? h / Math.log(row.length) : 0;
  }
  return w.length ? total / w.length : 0;
}

export interface CellDeriveOptions {
  nodes: number;
  ops: readonly string[];
  inputsPerNode?: number;
  candidates?: number;
}

interface EdgeChoice {
  best: number;
  second: number; // -1 when there is none
  margin: number;
  strength: number;
}

function edgeChoices(w: number[][], ops: readonly string[]): EdgeChoice[] {
  return w.map((row) => {
    const order = row
      .map((p, k) => [p, k] as const)
      .filter(([, k]) => ops[k] !== 'none')
      .sort((a, b) => b[0] - a[0] || a[1] - b[1]);
    if (order.length === 0) return { best: ops.indexOf('none'), second: -1, margin: Infinity, strength: 0 };
    return {
      best: order[0][1],
      second: order[1]?.[1] ?? -1,
      margin: order[0][0] - (order[1]?.[0] ?? 0),
      strength: order[0][0],
    };
  });
}

function applyInputsPerNode(
  picks: string[],
  choices: EdgeChoice[],
  nodes: number,
  k: number | undefined,
  ops: readonly string[],
): string[] {
  if (k === undefined) return picks;
  if (!ops.includes('none'))
    throw new Error('darts: inputs_per_node needs `none` among the ops (dropped edges become none)');
  const out = [...picks];
  let e = 0;
  for (let j = 1; j < nodes; j++) {
    const idx = Array.from({ length: j }, (_, i) => e + i);
    idx.sort((a, b) => choices[b].strength - choices[a].strength || a - b);
    for (const d of idx.slice(k)) out[d] = 'none';
    e += j;
  }
  return out;
}

/** Derived cells (ops per edge, canonical edge order) from alphas (DARTS: op strength = softmax(alpha)), strongest first, distinct. */
export function deriveCells(alpha: readonly (readonly number[])[], o: CellDeriveOptions): string[][] {
  return deriveFromScores(softmaxRows(alpha), o);
}

/** The same from any op strengths per edge (larger = stronger), e.g. perturbation scores. */
export function deriveFromScores(w: number[][], o: CellDeriveOptions): string[][] {
  const choices = edgeChoices(w, o.ops);
  const base = choices.map((c) => o.ops[c.best]);
  const out: string[][] = [applyInputsPerNode(base, choices, o.nodes, o.inputsPerNode, o.ops)];
  const want = Math.max(1, o.candidates ?? 1);
  const seen = new Set(out.map((c) => c.join('|')));
  const uncertain = choices
    .map((c, e) => [c.margin, e] as const)
    .filter(([, e]) => choices[e].second >= 0)
    .sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  for (const [, e] of uncertain) {
    if (out.length >= want) break;
    const alt = [...base];
    alt[e] = o.ops[choices[e].second];
    const cell = applyInputsPerNode(alt, choices, o.nodes, o.inputsPerNode, o.ops);
    const key = cell.join('|');
    if (!seen.has(key)) {
      seen.add(key);
      out.push(cell);
    }
  }
  return out;
}

const PARAMETRIC = /^(nor_conv_|conv|sep_conv|dil_conv)/;

/** Why a derived cell counts as collapsed, or null. */
export function collapseReason(ops: readonly string[], maxSkip: number): string | null {
  const skips = ops.filter((o) => o === 'skip_connect').length;
  if (skips >= maxSkip) return `${skips} skip connections (limit ${maxSkip})`;
  if (!ops.some((o) => PARAMETRIC.test(o))) return 'no parametric operation left';
  return null;
}
