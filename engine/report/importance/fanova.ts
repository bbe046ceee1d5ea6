// Functional ANOVA of a forest (Hutter, Hoos & Leyton-Brown 2014), main effects only: with the
// features independent and uniform over their categories, a tree's prediction f splits into a
// constant f0, one marginal a_j(c) - f0 per feature and interactions. The share of f's variance
// that a_j explains is feature j's importance. Each leaf is a product of category subsets, so the
// marginals are exact sums over leaves, no sampling:
//   vol(leaf) = prod_i |S_i| / K_i,   f0 = sum_leaf v vol,   V = sum_leaf vol (v - f0)^2
//   a_j(c) = sum_{leaf: c in S_j} v vol K_j / |S_j|,   V_j = mean_c (a_j(c) - f0)^2.
// Per tree, then mean and standard deviation over trees (the spread is the uncertainty).
// A tree with an additive part (forest.ts's `additive`) predicts b + sum_j e_j(x_j) + r(x), the
// e_j centred: its marginals add, a_j(c) = b + e_j(c) + r_j(c), and its variance is
//   V = sum_j mean_c e_j(c)^2 + V_r + 2 sum_j mean_c e_j(c) (r_j(c) - r0)
// (the e_j are independent of each other under the uniform distribution; each covaries with r only
// through r's marginal on its own feature).

import type { Tree } from './forest.js';

export interface TreeAnova {
  mean: number;
  variance: number;
  /** Per feature: marginal prediction per category. */
  marginals: number[][];
  /** Per feature: V_j / V (0 when the tree is constant). */
  shares: number[];
}

export function treeAnova(tree: Tree, cardinality: number[]): TreeAnova {
  const vols = tree.leaves.map((l) => l.region.reduce((v, s, i) => (v * s.length) / cardinality[i], 1));
  const r0 = tree.leaves.reduce((s, l, k) => s + l.value * vols[k], 0);
  let variance = tree.leaves.reduce((s, l, k) => s + vols[k] * (l.value - r0) ** 2, 0);
  const residual = cardinality.map((K, j) => {
    const a = new Array<number>(K).fill(0);
    tree.leaves.forEach((l, k) => {
      const w = (vols[k] * K) / l.region[j].length;
      for (const c of l.region[j]) a[c] += l.value * w;
    });
    return a;
  });
  const add = tree.additive;
  const f0 = r0 + (add?.intercept ?? 0);
  const marginals = residual.map((r, j) => r.map((v, c) => v + (add ? add.intercept + add.effects[j][c] : 0)));
  if (add)
    add.effects.forEach((e, j) => {
      variance += e.reduce((s, v, c) => s + v * v + 2 * v * (residual[j][c] - r0), 0) / e.length;
    });
  const shares = marginals.map((a) =>
    variance > 0 ? a.reduce((s, v) => s + (v - f0) ** 2, 0) / a.length / variance : 0,
  );
  return { mean: f0, variance, marginals, shares };
}

export interface Summary {
  mean: number;
  std: number;
}

export function summarise(values: number[]): Summary {
  const mean = values.reduce((s, v) => s + v, 0) / Math.max(1, values.length);
  const std = values.length > 1 ? Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / (values.length - 1)) : 0;
  return { mean, std };
}
