// Training one candidate: model build, seeded training with
// cooperative cancellation, validation metrics, and optional model artifacts. Runs inside a pool
// worker, and in-process where a test or `nas export` needs the same data (same split, same scaling).

import * as tf from '@tensorflow/tfjs';
import { TrialError } from '../../core/errors.js';
import { deriveSeed, Rng } from '../../core/rng.js';
import type { Json, Metrics } from '../../core/types.js';
import { prepareData } from '../../training/datasets/prepare.js';
import {
  buildModel,
  compileModel,
  countParams,
  estimateFlops,
  trainEpoch,
  type EpochResult,
  type ModelSpec,
} from '../../training/model/index.js';
import type { BackendName } from '../../training/backend.js';
import type { TrainJob, TrainResult } from './protocol.js';
import type { ModelArtifactsJson } from '../../training/model/files.js';
import { evaluateRegression } from './regression.js';
import type { CategoricalSpec } from '../../training/model/types.js';
import { embeddingRows } from '../../training/datasets/categorical.js';
import type { Dataset } from '../../training/datasets/index.js';

export function modelSpecFor(
  job: Pick<TrainJob, 'arch' | 'space' | 'seed' | 'settings'>,
  inputShape: number[],
  classes: number,
  /** What the data adds to the model: a regression head, categorical embeddings, the text vocabulary's size. */
  data: ModelData = {},
): ModelSpec {
  const space = job.space;
  const head = data.regression ? { regression: true } : {};
  if (space.kind === 'chain') {
    const arch = job.arch as { layers: { type: string; [k: string]: Json }[]; hyper?: Record<string, Json> };
    return {
      space: 'chain',
      arch,
      inputShape,
      classes,
      ...head,
      ...(data.categorical ? { categorical: data.categorical } : {}),
      seed: job.seed,
      ...(data.vocab !== undefined ? { vocab: data.vocab } : {}),
      ...(job.settings.head ? { head: job.settings.head } : {}),
    };
  }
  return {
    space: 'cell',
    arch: job.arch as { ops: string[] },
    nodes: space.nodes,
    inputShape,
    classes,
    ...head,
    skeleton: space.skeleton ?? { channels: 16, cells: 1, stages: 2 },
    seed: job.seed,
  };
}

/** What the model builder needs to know of the training data beyond its shape: the task and the id columns. */
/** What the data adds to a candidate's model (see modelSpecFor). */
export interface ModelData {
  regression?: boolean;
  categorical?: CategoricalSpec;
  /** Token ids below this when the input is text (the fitted vocabulary's size). */
  vocab?: number;
}

export function modelDataOf(train: Dataset): ModelData {
  const cat = train.categorical;
  return {
    ...(train.task === 'regression' ? { regression: true } : {}),
    ...(train.vocabulary ? { vocab: train.vocabulary.tokens.length } : {}),
    ...(cat ? { categorical: { names: cat.names, positions: cat.positions, rows: embeddingRows(cat) } } : {}),
  };
}

/** Loss and accuracy of `model` on the validation tensors. */
export function evaluateModel(
  model: tf.LayersModel,
  x: tf.Tensor,
  y: tf.Tensor,
  batchSize: number,
): { loss: number; accuracy: number } {
  const out = model.evaluate(x, y, { batchSize }) as tf.Scalar[];
  const [loss, accuracy] = out.map((t) => t.dataSync()[0]);
  tf.dispose(out);
  return { loss, accuracy };
}

/** Captures a model's artifacts through a save handler (works on every backend). */
export async function modelArtifacts(model: tf.LayersModel): Promise<ModelArtifactsJson> {
  let captured: ModelArtifactsJson | undefined;
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      const wd = a.weightData;
      const weightData =
        wd === undefined ? new ArrayBuffer(0) : Array.isArray(wd) ? tf.io.concatenateArrayBuffers(wd) : wd;
      captured = {
        modelTopology: a.modelTopology as Json,
        weightSpecs: (a.weightSpecs ?? []) as unknown as Json,
        weightData,
        ...(a.trainingConfig ? { trainingConfig: a.trainingConfig as unknown as Json } : {}),
        ...(a.format ? { format: a.format } : {}),
        ...(a.generatedBy ? { generatedBy: a.generatedBy } : {}),
      };
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  if (!captured) throw new Error('model.save produced no artifacts');
  return captured;
}

export interface TrainHooks {
  /** True when the trial should stop (checked after every batch). */
  cancelled(): boolean;
  onEpoch?(epoch: number, metrics: Metrics): void;
  /** Fault injection for tests: called after every batch. */
  onBatch?(epoch: number, batch: number): void;
}

/** Trains one candidate; everything it allocates is released before it returns (scope + explicit disposal). */
export async function trainCandidate(job: TrainJob, backend: BackendName, hooks: TrainHooks): Promise<TrainResult> {
  const t0 = performance.now();
  const data = prepareData(job.dataset, job.space, job.dataSeed, job.settings.dataFraction);
  const { xTrain, yTrain, xVal, yVal } = data.tensors;
  const s = job.settings;
  const curve: { step: number; metrics: Metrics }[] = [];
  let metrics: Metrics = {};
  let cancelled = false;
  let model: tf.LayersModel | undefined;
  let optimizer: tf.Optimizer | undefined;
  let artifacts: ModelArtifactsJson | undefined;
  let epochsRun = 0;
  tf.engine().startScope();
  try {
    const regression = data.targetScaling !== undefined;
    model = buildModel(modelSpecFor(job, data.inputShape, data.train.classes, modelDataOf(data.train)));
    optimizer = compileModel(model, {
      optimizer: s.optimizer,
      learningRate: s.learningRate,
      weightDecay: s.weightDecay,
      regression,
    });
    const params = countParams(model);
    const flops = estimateFlops(model);
    const rng = new Rng(deriveSeed(job.seed, 'shuffle'));
    const m = model;
    for (let epoch = 1; epoch <= s.epochs; epoch++) {
      if (hooks.cancelled()) {
        cancelled = true;
        break;
      }
      // Seeded shuffle (fit's own shuffle uses Math.random).
      const order = rng.shuffle(Array.from({ length: data.train.n }, (_, i) => i));
      const [xs, ys] = tf.tidy(() => {
        const idx = tf.tensor1d(order, 'int32');
        return [tf.gather(xTrain, idx), tf.gather(yTrain, idx)];
      });
      let epochResult: EpochResult;
      try {
        epochResult = await trainEpoch(m, xs, ys, s.batchSize, (batch) => {
          hooks.onBatch?.(epoch, batch);
          return hooks.cancelled();
        });
      } finally {
        tf.dispose([xs, ys]);
      }
      if (hooks.cancelled()) {
        cancelled = true;
        break;
      }
      const { loss: trainLoss, accuracy: trainAcc } = epochResult;
      if (!Number.isFinite(trainLoss))
        throw new TrialError(`training diverged (loss ${trainLoss}) in epoch ${epoch}`, false);
      epochsRun = epoch;
      if (data.targetScaling) {
        // regression: the train function's metric is the mean absolute error on the scaled target
        const val = evaluateRegression(m, xVal, data.validation.targets!, data.targetScaling, s.evalBatchSize);
        metrics = { ...val, train_loss: trainLoss, params, flops };
      } else {
        const val = evaluateModel(m, xVal, yVal, s.evalBatchSize);
        metrics = {
          accuracy: val.accuracy,
          loss: val.loss,
          train_accuracy: trainAcc,
          train_loss: trainLoss,
          params,
          flops,
        };
      }
      const point = { ...metrics };
      curve.push({ step: epoch, metrics: point });
      hooks.onEpoch?.(epoch, point);
    }
    if (!cancelled && job.returnModel) artifacts = await modelArtifacts(m);
  } finally {
    optimizer?.dispose();
    model?.dispose();
    tf.engine().endScope();
  }
  const ds = data.train;
  return {
    type: 'train',
    cancelled,
    metrics,
    curve,
    backend,
    epochs: epochsRun,
    seconds: (performance.now() - t0) / 1000,
    data: {
      inputShape: data.inputShape,
      classNames: data.targetScaling ? [] : ds.classNames,
      ...(ds.categorical?.vocabulary
        ? {
            categorical: Object.fromEntries(ds.categorical.names.map((n, c) => [n, ds.categorical!.vocabulary![c]])),
          }
        : {}),
      task: ds.task,
      ...(data.targetScaling ? { targetScaling: data.targetScaling } : {}),
      ...(ds.scaling ? { scaling: { mean: Array.from(ds.scaling.mean), std: Array.from(ds.scaling.std) } } : {}),
      ...(ds.vocabulary ? { vocabulary: ds.vocabulary } : {}),
      train: ds.n,
      validation: data.validation.n,
    },
    ...(artifacts ? { model: artifacts } : {}),
  };
}
