// Architecture -> trainable tf.LayersModel, and its size and cost.

export type { ChainLayer, ChainModelSpec, CellModelSpec, CellSkeleton, ModelSpec } from './types.js';
export { buildModel } from './build.js';
export { edgeIndex, liveNodes } from './cell.js';
export { countParams, estimateFlops, layerFlops } from './stats.js';
export {
  compileModel,
  compileOptionsFromHyper,
  OPTIMIZERS,
  type CompileOptions,
  type OptimizerName,
} from './compile.js';
export { ZeroLayer } from './zero.js';
export { trainEpoch, type EpochResult } from './train-epoch.js';
