// Evaluator `train`: trains each candidate on the workflow's dataset in a pool of worker threads and
// reports validation accuracy and loss (the workflow-seeded stratified split, the same for every
// trial), params and flops. See pool.ts (threads, cancellation, recycling), core.ts (one candidate)
// and models.ts (the trained models kept for `nas export`).

// This module stays light (no tfjs, no piscina) because the workflow validator loads the registry;
// the evaluator itself (evaluator.ts) is imported when a run creates it.

import type { EvaluatorDefinition } from '../../core/evaluator.js';
import { REGRESSION_METRICS } from '../../core/task.js';
import { TRAIN_OPTIONS_SCHEMA, type TrainOptions } from './options.js';

export const trainEvaluator: EvaluatorDefinition<TrainOptions> = {
  type: 'train',
  description:
    'train each candidate on the dataset in worker threads (tfjs); validation accuracy and loss, params, flops',
  needsDataset: true,
  supernet: true,
  optionsSchema: TRAIN_OPTIONS_SCHEMA,
  // the validation metrics of both tasks; the workflow checks match the objective to dataset.task
  metrics: () => ['accuracy', 'loss', 'params', 'flops', 'train_accuracy', 'train_loss', ...REGRESSION_METRICS],
  async create(options, ctx) {
    const run = ctx.run;
    const { TrainEvaluator } = await import('./evaluator.js');
    return new TrainEvaluator({
      workflow: ctx.workflow,
      options,
      ...(run
        ? { models: { storePath: run.storePath, runId: run.id, ...(run.stage ? { stage: run.stage } : {}) } }
        : {}),
    });
  },
};
