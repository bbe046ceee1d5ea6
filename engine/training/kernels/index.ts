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
import {rememberBundledTile, tileConfig} from './tile.js';
import {unsortedSegmentSumConfig} from './unsorted-segment-sum.js';

export const wasmTrainingKernels: readonly tf.KernelConfig[] = [
  conv2dBackpropFilterConfig,
  conv2dBackpropInputConfig,
  depthwiseBackpropFilterConfig,
  depthwiseBackpropInputConfig,
  unsortedSegmentSumConfig,
  maxPoolGradConfig,
  tileConfig,
];

/** Returns the names of the kernels that were (re)registered by this call. */
export function registerWasmTrainingKernels(): string[] {
  rememberBundledTile();
  const changed: string[] = [];
  for (const config of wasmTrainingKernels) {
    const current = tf.getKernel(config.kernelName, config.backendName);
    if (current?.kernelFunc === config.kernelFunc) continue;
    // Conv2DBackpropInput, MaxPoolGrad and Tile ship with wasm (slow loops); ours replace
    // them, and registerKernel would warn about the duplicate without the unregister.
    if (current != null) tf.unregisterKernel(config.kernelName, config.backendName);
    tf.registerKernel(config);
    changed.push(config.kernelName);
  }
  return changed;
}
