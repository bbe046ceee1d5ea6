// Evaluator `proxy`: zero-cost proxies of an untrained network on one seeded, stratified batch of the
// workflow's dataset — no training. Reports the chosen proxies (synflow, grad_norm, naswot, jacob_cov)
// plus params; an objective names one of them. Runs in the main thread (a forward and a backward pass
// per proxy: milliseconds to a second per candidate).
//   evaluation: { type: proxy, proxies: [synflow, naswot], batch: 64 }

import * as tf from '@tensorflow/tfjs';
import { FatalError, TrialError } from '../../core/errors.js';
import { deriveSeed } from '../../core/rng.js';
import {
  applyScaling,
  fitScaling,
  loadDataset,
  splitDataset,
  stratifiedSubsample,
  type Dataset,
} from '../../training/datasets/index.js';
import { take } from '../../training/datasets/sample.js';
import { searchRows } from '../../training/datasets/prepare.js';
import { initBackend, type BackendChoice } from '../../training/backend.js';
import { buildModel, countParams } from '../../training/model/index.js';
import { modelSpecFor } from '../train/core.js';
import { inputShapeFor } from '../../training/datasets/prepare.js';
import type { EvaluatorDefinition, Evaluator } from '../../core/evaluator.js';
import { PROXIES, computeProxies, type ProxyName } from './proxies.js';

export { PROXIES, computeProxies, synflow, gradNorm, naswot, jacobCov, type ProxyName } from './proxies.js';

export interface ProxyOptions {
  proxies?: ProxyName[];
  batch?: number;
  backend?: BackendChoice;
}

interface Batch {
  x: tf.Tensor;
  y: tf.Tensor;
  inputShape: number[];
  classes: number;
  vocab?: number;
}

function loadBatch(
  full: Dataset,
  space: Parameters<typeof inputShapeFor>[0],
  size: number,
  seed: number,
  validation: number,
): Batch {
  const inputShape = inputShapeFor(space, full.featureShape);
  // text: token ids of the training split, with the vocabulary the trials fit there
  const ds0 = full.texts ? splitDataset(full, validation, deriveSeed(seed, 'dataset.split')).train : full;
  let ds = take(ds0, stratifiedSubsample(ds0, Math.min(size, ds0.n), deriveSeed(seed, 'proxy.batch')));
  if (ds.standardize) ds = applyScaling(ds, fitScaling(ds));
  return {
    x: tf.tensor(ds.x, [ds.n, ...inputShape], 'float32'),
    y: tf.tidy(() => tf.oneHot(tf.tensor1d(ds.y, 'int32'), ds.classes).toFloat()),
    inputShape,
    classes: ds.classes,
    ...(ds.vocabulary ? { vocab: ds.vocabulary.tokens.length } : {}),
  };
}

export const proxyEvaluator: EvaluatorDefinition<ProxyOptions> = {
  type: 'proxy',
  needsDataset: true,
  description:
    'Zero-cost proxies of the untrained network on one batch (synflow, grad_norm, naswot, jacob_cov): ranks candidates without training.',
  optionsSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      proxies: {
        type: 'array',
        items: { enum: [...PROXIES] },
        minItems: 1,
        uniqueItems: true,
        default: [...PROXIES],
        description: 'Proxies to compute and report.',
      },
      batch: {
        type: 'integer',
        minimum: 2,
        maximum: 1024,
        default: 64,
        description: 'Samples in the scoring batch (seeded, stratified).',
      },
      backend: {
        enum: ['auto', 'tensorflow', 'wasm', 'cpu'],
        default: 'auto',
        description: 'Tensor backend of the main thread.',
      },
    },
  },
  metrics: (o) => [...(o.proxies ?? PROXIES), 'params'],
  async create(o, { workflow }) {
    if (!workflow.dataset)
      throw new FatalError('evaluation type "proxy" needs a dataset: add dataset: { source: ... }');
    await initBackend(o.backend ?? 'auto');
    const names = o.proxies ?? [...PROXIES];
    const ds0 = loadDataset(workflow.dataset, undefined, { seed: workflow.seed });
    const shape = inputShapeFor(workflow.space, ds0.featureShape);
    // a held-out test split stays unseen: the batch comes from the rows the train evaluator may use
    const ds = workflow.dataset.split.test
      ? searchRows(workflow.dataset, shape, deriveSeed(workflow.seed, 'dataset'))
      : loadDataset(workflow.dataset, shape, { seed: workflow.seed });
    const batch = loadBatch(ds, workflow.space, o.batch ?? 64, workflow.seed, workflow.dataset.split.validation);
    const ev: Evaluator = {
      async evaluate(job) {
        tf.engine().startScope();
        let model: tf.LayersModel | undefined;
        try {
          try {
            model = buildModel(
              modelSpecFor(
                { arch: job.arch, space: workflow.space, seed: job.seed, settings: {} } as never,
                batch.inputShape,
                batch.classes,
                batch.vocab !== undefined ? { vocab: batch.vocab } : {},
              ),
            );
          } catch (e) {
            throw e instanceof TrialError ? e : new TrialError(`cannot build: ${(e as Error).message}`, false);
          }
          const metrics = { ...computeProxies(model, names, batch), params: countParams(model) };
          for (const [k, v] of Object.entries(metrics))
            if (!Number.isFinite(v)) metrics[k as ProxyName] = v > 0 ? 1e300 : -1e300;
          return { metrics, info: { backend: tf.getBackend() } };
        } finally {
          model?.dispose();
          tf.engine().endScope();
        }
      },
      async close() {
        tf.dispose([batch.x, batch.y]);
      },
    };
    return ev;
  },
};
