// Measuring a candidate before it is evaluated: parameters, FLOPs (multiply-accumulates) and inference
// latency of the built, untrained model. Used for hard constraints (a candidate outside them is
// rejected without training) and for objectives the evaluator does not report (latency, flops).
//
// Sources, in order: the evaluator's own measure() (e.g. columns of a benchmark table), then the
// model built in the main thread from the workflow's dataset shape (tfjs, the backend already in use or
// cpu). Everything here is synchronous once prepared, so the engine keeps a proposal and its trial in
// one transaction.

import { deriveSeed } from '../core/rng.js';
import type { Arch, Metrics } from '../core/types.js';
import type { Evaluator } from '../core/evaluator.js';
import { getEvaluator } from '../evaluation/index.js';
import type { WorkflowConfig } from '../core/workflow.js';
import { optionsOf } from './components.js';

/** Metrics the engine can measure on a built model. */
export const MEASURABLE = ['params', 'flops', 'latency'] as const;

/** The metrics to measure before evaluation: every constrained one, and objectives the evaluator lacks. */
export function metricsToMeasure(wf: WorkflowConfig): string[] {
  const want = new Set<string>(Object.keys(wf.constraints ?? {}));
  const def = getEvaluator(wf.evaluation.type);
  let reported: string[];
  try {
    reported = def ? def.metrics(optionsOf(wf.evaluation)) : [];
  } catch {
    reported = [];
  }
  for (const o of wf.objectives ?? [wf.objective]) {
    if ((MEASURABLE as readonly string[]).includes(o.metric) && !reported.includes(o.metric)) want.add(o.metric);
  }
  return [...want];
}

export type Measure = (arch: Arch, key: string) => Metrics;

/** A measuring function for `wf`, or undefined when nothing needs measuring. */
export async function makeMeasure(wf: WorkflowConfig, evaluator: Evaluator): Promise<Measure | undefined> {
  const wanted = metricsToMeasure(wf);
  if (wanted.length === 0) return undefined;
  const needModel = () => wanted.some((m) => (MEASURABLE as readonly string[]).includes(m));
  let model: ((arch: Arch, need: string[]) => Metrics) | undefined;
  if (wf.dataset && needModel()) model = await modelMeasurer(wf);
  return (arch, key) => {
    const out: Metrics = { ...(evaluator.measure?.({ arch, key }) ?? {}) };
    const missing = wanted.filter((m) => out[m] === undefined && (MEASURABLE as readonly string[]).includes(m));
    if (missing.length && model) Object.assign(out, model(arch, missing));
    return out;
  };
}

async function modelMeasurer(wf: WorkflowConfig): Promise<(arch: Arch, need: string[]) => Metrics> {
  const tf = await import('@tensorflow/tfjs');
  const { buildModel, countParams, estimateFlops } = await import('../training/model/index.js');
  const { modelSpecFor, modelDataOf } = await import('../evaluation/train/core.js');
  const { inputShapeFor, splitParts } = await import('../training/datasets/prepare.js');
  const { loadDataset } = await import('../training/datasets/index.js');
  await tf.ready();
  const ds = loadDataset(wf.dataset!, undefined, { seed: wf.seed });
  // embedding tables (categorical columns, a text vocabulary) are sized by the training part, as trials see it
  const modelData = modelDataOf(
    ds.categorical || ds.texts ? splitParts(wf.dataset!, undefined, deriveSeed(wf.seed, 'dataset')).train : ds,
  );
  const inputShape = inputShapeFor(wf.space, ds.featureShape);
  const classes = ds.classes;
  const head = typeof wf.evaluation.head === 'string' ? (wf.evaluation.head as 'gap' | 'flatten') : undefined;
  return (arch, need) => {
    const out: Metrics = {};
    tf.engine().startScope();
    let m: import('@tensorflow/tfjs').LayersModel | undefined;
    try {
      m = buildModel(
        modelSpecFor(
          { arch, space: wf.space, seed: 0, settings: head ? { head } : {} } as never,
          inputShape,
          classes,
          modelData,
        ),
      );
      if (need.includes('params')) out.params = countParams(m);
      if (need.includes('flops')) out.flops = estimateFlops(m);
      if (need.includes('latency')) out.latency = latencyMs(tf, m, inputShape);
    } finally {
      m?.dispose();
      tf.engine().endScope();
    }
    return out;
  };
}

/** Median wall time (ms) of a batch-1 forward pass, after one warm-up; 3 significant digits. */
function latencyMs(
  tf: typeof import('@tensorflow/tfjs'),
  model: import('@tensorflow/tfjs').LayersModel,
  inputShape: number[],
): number {
  const x = tf.zeros([1, ...inputShape]);
  const once = () => {
    const t0 = performance.now();
    const y = model.predict(x) as import('@tensorflow/tfjs').Tensor;
    y.dataSync();
    y.dispose();
    return performance.now() - t0;
  };
  once();
  const times = [once(), once(), once(), once(), once()].sort((a, b) => a - b);
  x.dispose();
  return Number(times[2].toPrecision(3));
}
