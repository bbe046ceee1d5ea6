// What a dataset asks the models to predict, and what that means for metrics: classification (a class
// per sample, softmax head, accuracy) or regression (a number per sample, linear head, mse/mae/rmse/r2).
// Shared by the workflow checks (which metric fits which task, the default mode of an objective), the
// training code and the report, so it sits in the bottom layer.

export type TaskKind = 'classification' | 'regression';
export const TASK_KINDS: readonly TaskKind[] = ['classification', 'regression'];

/** Validation metrics the train evaluator reports for a regression task (in the target's own units). */
export const REGRESSION_METRICS = ['mse', 'mae', 'rmse', 'r2'] as const;
/** Validation metrics only a classification task reports. */
export const CLASSIFICATION_METRICS = ['accuracy', 'train_accuracy'] as const;

/** Metrics where lower is better: an objective naming one without `mode` is minimised. */
const LOWER_IS_BETTER = new Set(['loss', 'train_loss', 'mse', 'mae', 'rmse', 'params', 'flops', 'latency']);

export function defaultMode(metric: string): 'max' | 'min' {
  return LOWER_IS_BETTER.has(metric) || /(^|_)(loss|mse|mae|rmse)$/.test(metric) ? 'min' : 'max';
}

/** The task a metric belongs to, or undefined for metrics every task reports (loss, params, ...). */
export function metricTask(metric: string): TaskKind | undefined {
  const bare = metric.replace(/^test_/, '');
  if ((REGRESSION_METRICS as readonly string[]).includes(bare)) return 'regression';
  if ((CLASSIFICATION_METRICS as readonly string[]).includes(bare)) return 'classification';
  return undefined;
}
