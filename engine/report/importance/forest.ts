// A random forest of regression trees over categorical features, kept as explicit regions.
//
// Written here, not taken from npm: fANOVA needs every leaf as a product of category subsets (one
// subset per feature), and the npm forests (ml-random-forest, ml-cart) split numeric thresholds on
// a one-hot or ordinal encoding, which makes the leaves' regions in decision space awkward to get
// back. A categorical CART split is cheap to find exactly: sort a node's categories by their mean
// target and try the K-1 cuts of that order (Breiman et al. 1984, optimal for squared error).

import { Rng } from '../../core/rng.js';
import { fitAdditive, predictAdditive, type Additive } from './additive.js';

export interface Leaf {
  value: number;
  /** Per feature, the categories of this leaf's region (a subset of 0..K_j-1). */
  region: number[][];
}

export interface Tree {
  /** With `additive`: the effects fitted first; the leaves then hold what they leave over. */
  additive?: Additive;
  leaves: Leaf[];
  predict(x: readonly number[]): number;
  /** Rows not drawn into this tree's bootstrap sample (for out-of-bag error). */
  outOfBag: number[];
}

export interface ForestOptions {
  trees?: number;
  /** Features tried at each split (default: ceil(p / 2)). */
  mtry?: number;
  minLeaf?: number;
  maxDepth?: number;
  seed?: number;
  /** Fit an additive model (ridge with this penalty, see additive.ts) first and grow the tree on its
   * residuals; off by default (a plain forest). */
  additive?: number;
}

type Node = { leaf: number } | { feature: number; left: Set<number>; yes: Node; no: Node };

/** Fits a forest: X[i][j] is the category (0..cardinality[j]-1) of feature j in row i. */
export function fitForest(X: number[][], y: number[], cardinality: number[], o: ForestOptions = {}): Tree[] {
  const n = X.length;
  const p = cardinality.length;
  const rng = new Rng(o.seed ?? 1);
  const mtry = Math.max(1, Math.min(p, o.mtry ?? Math.ceil(p / 2)));
  const minLeaf = o.minLeaf ?? 2;
  const maxDepth = o.maxDepth ?? 24;
  const trees: Tree[] = [];
  for (let t = 0; t < (o.trees ?? 64); t++) {
    const sample = Array.from({ length: n }, () => rng.int(n));
    const drawn = new Set(sample);
    const additive = o.additive === undefined ? undefined : fitAdditive(X, y, sample, cardinality, o.additive);
    const target = additive ? y.map((v, i) => v - predictAdditive(additive, X[i])) : y;
    const leaves: Leaf[] = [];
    const full = cardinality.map((k) => Array.from({ length: k }, (_, c) => c));
    const root = grow(sample, full, 0);
    trees.push({
      ...(additive ? { additive } : {}),
      leaves,
      outOfBag: [...Array(n).keys()].filter((i) => !drawn.has(i)),
      predict(x) {
        let node = root;
        while (!('leaf' in node)) node = node.left.has(x[node.feature]) ? node.yes : node.no;
        return leaves[node.leaf].value + (additive ? predictAdditive(additive, x) : 0);
      },
    });

    function grow(rows: number[], region: number[][], depth: number): Node {
      const mean = rows.reduce((s, i) => s + target[i], 0) / rows.length;
      const leaf = (): Node => {
        leaves.push({ value: mean, region });
        return { leaf: leaves.length - 1 };
      };
      if (rows.length < 2 * minLeaf || depth >= maxDepth) return leaf();
      let best: { gain: number; feature: number; left: number[] } | undefined;
      for (const j of pickFeatures(p, mtry, rng)) {
        const split = bestSplit(rows, j, region[j]);
        if (split && (!best || split.gain > best.gain)) best = { ...split, feature: j };
      }
      if (!best || best.gain <= 1e-12) return leaf();
      const left = new Set(best.left);
      const yesRows = rows.filter((i) => left.has(X[i][best.feature]));
      const noRows = rows.filter((i) => !left.has(X[i][best.feature]));
      const yesRegion = region.map((r, j) => (j === best.feature ? r.filter((c) => left.has(c)) : r));
      const noRegion = region.map((r, j) => (j === best.feature ? r.filter((c) => !left.has(c)) : r));
      return {
        feature: best.feature,
        left,
        yes: grow(yesRows, yesRegion, depth + 1),
        no: grow(noRows, noRegion, depth + 1),
      };
    }

    /** The best cut of feature j at this node: categories sorted by mean target, K-1 cuts tried. */
    function bestSplit(rows: number[], j: number, allowed: number[]): { gain: number; left: number[] } | undefined {
      const sum = new Map<number, number>();
      const count = new Map<number, number>();
      for (const i of rows) {
        const c = X[i][j];
        sum.set(c, (sum.get(c) ?? 0) + target[i]);
        count.set(c, (count.get(c) ?? 0) + 1);
      }
      if (count.size < 2) return undefined;
      const seen = [...count.keys()].sort((a, b) => sum.get(a)! / count.get(a)! - sum.get(b)! / count.get(b)!);
      const total = rows.reduce((s, i) => s + target[i], 0);
      let best: { gain: number; cut: number } | undefined;
      let ls = 0;
      let ln = 0;
      for (let k = 0; k < seen.length - 1; k++) {
        ls += sum.get(seen[k])!;
        ln += count.get(seen[k])!;
        const rn = rows.length - ln;
        if (ln < minLeaf || rn < minLeaf) continue;
        // SSE reduction = ls^2/ln + rs^2/rn - total^2/n
        const gain = (ls * ls) / ln + ((total - ls) * (total - ls)) / rn - (total * total) / rows.length;
        if (!best || gain > best.gain) best = { gain, cut: k };
      }
      if (!best) return undefined;
      const left = seen.slice(0, best.cut + 1);
      // categories of the region that no row here has: they go with the larger side (the region
      // must still be partitioned for fANOVA; the larger side's mean is the safer guess)
      const unseen = allowed.filter((c) => !count.has(c));
      const leftN = left.reduce((s, c) => s + count.get(c)!, 0);
      return { gain: best.gain, left: leftN >= rows.length - leftN ? [...left, ...unseen] : left };
    }
  }
  return trees;
}

function pickFeatures(p: number, k: number, rng: Rng): number[] {
  const all = [...Array(p).keys()];
  for (let i = 0; i < k; i++) {
    const j = i + rng.int(p - i);
    [all[i], all[j]] = [all[j], all[i]];
  }
  return all.slice(0, k);
}

/** Mean prediction over trees. */
export function predictForest(trees: Tree[], x: readonly number[]): number {
  return trees.reduce((s, t) => s + t.predict(x), 0) / trees.length;
}

/** Out-of-bag R^2: how much of the target's variance the forest predicts on rows it did not see. */
export function outOfBagR2(trees: Tree[], X: number[][], y: number[]): number | null {
  const sums = new Array<number>(X.length).fill(0);
  const counts = new Array<number>(X.length).fill(0);
  for (const t of trees)
    for (const i of t.outOfBag) {
      sums[i] += t.predict(X[i]);
      counts[i]++;
    }
  const rows = [...X.keys()].filter((i) => counts[i] > 0);
  if (rows.length < 3) return null;
  const mean = rows.reduce((s, i) => s + y[i], 0) / rows.length;
  const sst = rows.reduce((s, i) => s + (y[i] - mean) ** 2, 0);
  const sse = rows.reduce((s, i) => s + (y[i] - sums[i] / counts[i]) ** 2, 0);
  return sst > 0 ? 1 - sse / sst : null;
}
