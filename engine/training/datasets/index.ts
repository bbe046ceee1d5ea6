// Datasets for training evaluators: load (cached per process), split (stratified, leak-free
// standardisation), describe (meta-features), convert to tensors.

export type { Dataset, DatasetSplit, Scaling } from './types.js';
export { sampleSize } from './types.js';
export { loadDataset, reshapeDataset, clearDatasetCache, type LoadOptions } from './load.js';
export { splitDataset } from './split.js';
export { fitScaling, applyScaling } from './standardize.js';
export { stratifiedSubsample } from './sample.js';
export { describeDataset, type DatasetFeatures, type DescribeOptions } from './describe.js';
export { toTensors } from './tensors.js';
export { BUILTIN_DATASETS, sourceFiles } from './sources.js';
