// The workflow module: load and validate workflow files, and the schema editors use.
export { loadWorkflow, validateWorkflowFile, checkWorkflowFile, checkWorkflowText } from './load.js';
export type { LoadOptions, CheckResult } from './load.js';
export { buildWorkflowSchema } from './schema.js';
export type { JsonSchema } from './schema.js';
export { defaultRegistries } from './registries.js';
export type { Registries, StrategyEntry, EvaluatorEntry } from './registries.js';
export { parseDuration } from './duration.js';
export type * from '../core/workflow.js';
