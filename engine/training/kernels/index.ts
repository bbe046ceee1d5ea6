/**
 * Registers the project's training kernels for the wasm backend.
 *
 * The kernel registry is per JS realm, so every worker thread that trains on wasm must call
 * this (initBackend does). Registration is idempotent: re-registering is skipped when our
 * kernelFunc is already the one in the registry.
 */
import * as tf from '@tensorflow/tfjs';
import {conv2dBackpropFilterConfig} from './conv2d-backprop-filter.js';
import {conv2dBackpropInputConfig} from './conv2d-backprop-input.js';
import {depthwiseBackpropFilterConfig} from './depthwise-backprop-filter.js';
import {depthwiseBackpropInputConfig} from './depthwise-backprop-input.js';
import {maxPoolGradConfig} from './max-pool-grad.js';
import {meanConfig, sumConfig} from './reduce-leading.js';
import {tileConfig} from './tile.js';
import {rememberBundled} from './bundled.js';
import {unsortedSegmentSumConfig} from './unsorted-segment-sum.js';

export const wasmTrainingKernels: readonly tf.KernelConfig[] = [
  conv2dBackpropFilterConfig,
  conv2dBackpropInputConfig,
  depthwiseBackpropFilterConfig,
  depthwiseBackpropInputConfig,
  unsortedSegmentSumConfig,
  maxPoolGradConfig,
  tileConfig,
  sumConfig,
  meanConfig,
];

/** Returns the names of the kernels that were (re)registered by this call. */
export function registerWasmTrainingKernels(): string[] {
  const changed: string[] = [];
  for (const config of wasmTrainingKernels) {
    const current = tf.getKernel(config.kernelName, config.backendName);
    if (current?.kernelFunc === config.kernelFunc) continue;
    // Conv2DBackpropInput, MaxPoolGrad, Tile, Sum and Mean ship with wasm (slow for the
    // shapes of training); ours replace them, keeping the originals for fallbacks, and
    // registerKernel would warn about the duplicate without the unregister.
    rememberBundled(config.kernelName, config.kernelFunc);
    if (current != null) tf.unregisterKernel(config.kernelName, config.backendName);
    tf.registerKernel(config);
    changed.push(config.kernelName);
  }
  return changed;
}
