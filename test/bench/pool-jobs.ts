// The candidates of the pool-scaling benchmark, shared by the bench and its reference child process.

import { resolveSettings } from '../../engine/evaluation/train/options.js';
import type { TrainJob } from '../../engine/evaluation/train/protocol.js';
import type { ChainSpaceConfig, DatasetConfig } from '../../engine/core/workflow.js';
import type { JsonObject } from '../../engine/core/types.js';

export type BenchJob = Omit<TrainJob, 'cancel' | 'progress'>;
export type Workload = 'mnist' | 'tiny';

/**
 * `mnist`: CNNs from the quickstart's space (conv 16/32 filters, 3x3/5x5, max-pool, dense 64/128)
 * on its 6,000 builtin:mnist images, as the README's main job trains them. `tiny`: 8x8 digits with a
 * 3x3 conv and a small dense layer, where a training step is mostly tfjs's per-op JS overhead.
 */
export function benchJobs(workload: Workload, n: number, epochs: number): BenchJob[] {
  const mnist = workload === 'mnist';
  const space: ChainSpaceConfig = {
    kind: 'chain',
    input: mnist ? [28, 28, 1] : [8, 8, 1],
    layers: { min: 1, max: 4, choose: {} },
    hyper: {},
  };
  const dataset: DatasetConfig = mnist
    ? { source: 'builtin:mnist', limit: 6000, label: 'label', split: { validation: 0.2 } }
    : { source: 'builtin:digits', label: 'label', split: { validation: 0.2 } };
  return Array.from({ length: n }, (_, i) => {
    const arch: JsonObject = {
      layers: [
        { type: 'conv2d', filters: [16, 32][i % 2], kernel: mnist ? [3, 5][(i >> 2) % 2] : 3, activation: 'relu' },
        { type: 'max_pool', size: 2 },
        { type: 'dense', units: (mnist ? [64, 128] : [32, 64])[(i >> 1) % 2], activation: 'relu' },
      ],
      hyper: {},
    };
    return {
      type: 'train' as const,
      trial: i + 1,
      attempt: 1,
      arch,
      key: String(i),
      seed: 1000 + i,
      space,
      dataset,
      dataSeed: 7,
      backend: 'wasm' as const,
      settings: resolveSettings({ epochs, batch_size: 32, ...(mnist ? { head: 'flatten' as const } : {}) }, arch),
      returnModel: false,
    };
  });
}
