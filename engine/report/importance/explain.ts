// "Why this architecture?": how much each decision of the space (a layer's type, an edge's op, a
// hyperparameter) explains the objective across a run's trials, the marginal effect of each choice,
// and which of the best trial's decisions matter.
//
// Method: fANOVA main effects of a surrogate fitted to the stage's complete trials (decision
// choices -> objective): per tree, an additive model (additive.ts: it separates decisions that the
// search moved together) and a regression tree on its residuals (forest.ts: the interactions). We
// chose it over permutation importance on a surrogate because it answers the question asked ("how
// much variance does this decision explain, over the whole space"), needs no held-out data, and
// gives marginals with an uncertainty (the spread over trees) for free. It assumes decisions
// independent and uniform, which is how the space is defined; a chain's decision that an
// architecture lacks (a layer past its depth) is one more category, "absent".

import type { RunRow, Store } from '../../store/store.js';
import type { Json, Objective, TrialRecord } from '../../core/types.js';
import type { WorkflowConfig } from '../../core/workflow.js';
import { createSpace, type SearchSpace } from '../../space/index.js';
import { finalStage, objectivesOf, stageWorkflow } from '../../core/stages.js';
import { rankTrials } from '../../core/pareto.js';
import { isSupernetTrial } from '../../core/trial.js';
import { fitForest, outOfBagR2, predictForest, type ForestOptions, type Tree } from './forest.js';
import { summarise, treeAnova, type Summary } from './fanova.js';

export const ABSENT = '(absent)';

export interface ChoiceEffect {
  value: string;
  /** The forest's marginal prediction of the metric with this choice (mean, std over trees). */
  marginal: Summary;
  /** Trials that took this choice, and the mean metric among them (as observed, no model). */
  trials: number;
  observed: number | null;
}

export interface DecisionImportance {
  name: string;
  /** Share of the predicted metric's variance this decision explains alone (fANOVA main effect). */
  importance: Summary;
  choices: ChoiceEffect[];
}

export interface BestDecision {
  name: string;
  value: string;
  /** How much worse (metric units) the best trial is predicted to get with another choice here, on average. */
  effect: Summary;
  /** The alternative predicted to hurt most, and by how much. */
  worst: { value: string; loss: number } | null;
  /** Trials that differ from the best in exactly this decision: what they measured. */
  confirmed: { number: number; value: string; metric: number; loss: number }[];
}

export interface Explanation {
  run: number;
  name: string;
  stage: string;
  metric: string;
  mode: 'max' | 'min';
  method: 'fanova-additive-forest';
  trials: number;
  trees: number;
  /** Out-of-bag R^2 of the forest: how far to trust the rest (null with too few trials). */
  oob_r2: number | null;
  /** Share of the predicted variance the main effects explain together (the rest is interactions). */
  main_effects_total: number;
  decisions: DecisionImportance[];
  best: {
    number: number;
    key: string;
    metric: number;
    predicted: number;
    decisions: BestDecision[];
  } | null;
}

export interface ExplainOptions {
  stage?: string;
  trees?: number;
  seed?: number;
  forest?: Omit<ForestOptions, 'trees' | 'seed'>;
  /** At most this many trials are used (the latest), to keep the forest quick on huge runs. */
  maxTrials?: number;
}

export class ExplainError extends Error {
  override readonly name = 'ExplainError';
}

export function explainRun(store: Store, run: RunRow, o: ExplainOptions = {}): Explanation {
  const wf = run.config as unknown as WorkflowConfig;
  const final = finalStage(wf);
  const stageName = o.stage ?? final.stage;
  const st = wf.stages?.find((s) => s.name === stageName);
  if (wf.stages?.length && !st)
    throw new ExplainError(
      `run ${run.id} has no stage "${stageName}" (stages: ${wf.stages.map((s) => s.name).join(', ')})`,
    );
  const sw = st ? stageWorkflow(wf, st) : wf;
  const objectives = objectivesOf(sw);
  const objective = objectives[0];
  const space = createSpace(sw.space);
  const all = store.trials(run.id, stageName).filter((t) => !isSupernetTrial(t));
  const complete = all.filter((t) => t.state === 'complete' && typeof t.metrics[objective.metric] === 'number');
  const used = complete.slice(-(o.maxTrials ?? 5000));
  if (used.length < 5)
    throw new ExplainError(
      `run ${run.id}${stageName ? ` stage ${stageName}` : ''} has ${used.length} complete trials; explain needs at least 5`,
    );
  const best = rankTrials(complete, objectives)[0] as TrialRecord | undefined;
  return explainTrials(used, space, objective, best, {
    ...o,
    run: run.id,
    name: run.name,
    stage: stageName,
  });
}

/** The analysis itself, on trials of one space (exported for tests and the dashboard). */
export function explainTrials(
  trials: TrialRecord[],
  space: SearchSpace,
  objective: Objective,
  best: TrialRecord | undefined,
  o: ExplainOptions & { run: number; name: string; stage: string },
): Explanation {
  const decoded = trials.map((t) => decisionsOf(space, t.arch));
  // features: decisions that take more than one value among the trials
  const names = space.decisions().map((d) => d.name);
  const categories = names.map((name) => {
    const values = new Set<string>();
    const d = space.decisions().find((x) => x.name === name)!;
    for (const c of d.choices) values.add(label(c));
    if (decoded.some((m) => !m.has(name))) values.add(ABSENT);
    return [...values];
  });
  // a decision with one choice (a layer's only activation) varies only with its layer's presence,
  // which the depth and type decisions already carry: left out rather than counted twice
  const features = names
    .map((name, i) => ({ name, values: categories[i], own: space.decisions()[i].choices.length }))
    .filter((f) => f.own > 1 && new Set(decoded.map((m) => m.get(f.name) ?? ABSENT)).size > 1)
    .map(({ name, values }) => ({ name, values }));
  const cardinality = features.map((f) => f.values.length);
  const encode = (m: Map<string, string>) => features.map((f) => f.values.indexOf(m.get(f.name) ?? ABSENT));
  const X = decoded.map(encode);
  const y = trials.map((t) => t.metrics[objective.metric]);
  const treeCount = o.trees ?? 64;
  const trees = features.length
    ? fitForest(X, y, cardinality, { additive: 1, ...o.forest, trees: treeCount, seed: o.seed ?? 1 })
    : [];
  const anovas = trees.map((t) => treeAnova(t, cardinality));
  const decisions: DecisionImportance[] = features.map((f, j) => ({
    name: f.name,
    importance: summarise(anovas.map((a) => a.shares[j])),
    choices: f.values.map((value, c) => {
      const ys = trials.filter((_, i) => X[i][j] === c).map((t) => t.metrics[objective.metric]);
      return {
        value,
        marginal: summarise(anovas.map((a) => a.marginals[j][c])),
        trials: ys.length,
        observed: ys.length ? ys.reduce((s, v) => s + v, 0) / ys.length : null,
      };
    }),
  }));
  decisions.sort((a, b) => b.importance.mean - a.importance.mean);
  const sign = objective.mode === 'max' ? 1 : -1;
  return {
    run: o.run,
    name: o.name,
    stage: o.stage,
    metric: objective.metric,
    mode: objective.mode,
    method: 'fanova-additive-forest',
    trials: trials.length,
    trees: trees.length,
    oob_r2: trees.length ? outOfBagR2(trees, X, y) : null,
    main_effects_total: summarise(anovas.map((a) => a.shares.reduce((s, v) => s + v, 0))).mean,
    decisions,
    best: best
      ? bestDecisions(best, trees, features, encode, decodedOf(space, best), X, trials, objective, sign)
      : null,
  };
}

function decodedOf(space: SearchSpace, t: TrialRecord): Map<string, string> {
  return decisionsOf(space, t.arch);
}

function bestDecisions(
  best: TrialRecord,
  trees: Tree[],
  features: { name: string; values: string[] }[],
  encode: (m: Map<string, string>) => number[],
  decoded: Map<string, string>,
  X: number[][],
  trials: TrialRecord[],
  objective: Objective,
  sign: number,
): Explanation['best'] {
  const x = encode(decoded);
  const metric = best.metrics[objective.metric];
  const out: BestDecision[] = [];
  features.forEach((f, j) => {
    if (f.values[x[j]] === ABSENT) return;
    const alternatives = f.values.map((_, c) => c).filter((c) => c !== x[j] && f.values[c] !== ABSENT);
    if (!alternatives.length) return;
    const changed = (c: number) => x.map((v, i) => (i === j ? c : v));
    // per tree: the mean loss over alternatives (the spread over trees is the uncertainty)
    const perTree = trees.map(
      (t) => alternatives.reduce((s, c) => s + sign * (t.predict(x) - t.predict(changed(c))), 0) / alternatives.length,
    );
    const losses = alternatives.map((c) => ({
      value: f.values[c],
      loss: sign * (predictForest(trees, x) - predictForest(trees, changed(c))),
    }));
    const worst = losses.reduce((a, b) => (b.loss > a.loss ? b : a));
    const confirmed = trials
      .map((t, i) => ({ t, i }))
      .filter(({ i }) => X[i][j] !== x[j] && X[i].every((v, k) => k === j || v === x[k]))
      .map(({ t, i }) => ({
        number: t.number,
        value: f.values[X[i][j]],
        metric: t.metrics[objective.metric],
        loss: sign * (metric - t.metrics[objective.metric]),
      }));
    out.push({ name: f.name, value: f.values[x[j]], effect: summarise(perTree), worst, confirmed });
  });
  out.sort((a, b) => b.effect.mean - a.effect.mean);
  return {
    number: best.number,
    key: best.key,
    metric,
    predicted: trees.length ? predictForest(trees, x) : metric,
    decisions: out,
  };
}

/** An architecture's decisions by name, as labels: its choice path through the space's tree. */
export function decisionsOf(space: SearchSpace, arch: Json): Map<string, string> {
  const choices = space.choicesOf(arch);
  const out = new Map<string, string>();
  for (let i = 0; i < choices.length; i++) {
    const d = space.next(choices.slice(0, i));
    if (!d) break;
    out.set(d.name, label(d.choices[choices[i]]));
  }
  return out;
}

function label(v: Json): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
}
