/**
 * Registers the project's training kernels for the wasm backend, and fixes for the cpu
 * backend's AvgPoolGrad.
 *
 * The kernel registry is per JS realm, so every worker thread that trains on wasm must call
 * this (initBackend does). Registration is idempotent: re-registering is skipped when our
 * kernelFunc is already the one in the registry.
 */
import * as tf from '@tensorflow/tfjs';
import { conv2dConfig } from './conv2d.js';
import { batchNormConfig } from './batch-norm.js';
import { addConfig, multiplyConfig, subConfig } from './channel-binary.js';
import { castConfig, identityConfig } from './shared-data.js';
import { sliceConfig } from './slice.js';
import { gatherConfig } from './gather.js';
import { batchMatMulConfig } from './batch-mat-mul.js';
import { adamUpdateConfig } from './adam-update.js';
import { reluGradConfig } from './relu-grad.js';
import { fusedConv2dConfig, installFusedConv2D } from './fused-conv2d.js';
import { conv2dBackpropFilterConfig } from './conv2d-backprop-filter.js';
import { conv2dBackpropInputConfig } from './conv2d-backprop-input.js';
import {
  depthwiseBackpropFilterConfig,
  depthwiseBackpropInputConfig,
  depthwiseConv2dConfig,
} from './depthwise-conv2d.js';
import { avgPoolGradConfig, avgPoolGradCpuConfig } from './avg-pool-grad.js';
import { maxPoolGradConfig } from './max-pool-grad.js';
import { meanConfig, sumConfig } from './reduce-leading.js';
import { tileConfig } from './tile.js';
import { rememberBundled } from './bundled.js';
import { unsortedSegmentSumConfig } from './unsorted-segment-sum.js';
import { unpackConfig } from './unpack.js';
import { gruConfig, gruGradConfig, lstmConfig, lstmGradConfig } from './recurrent.js';
import { maxGradConfig } from './max-grad.js';

export const wasmTrainingKernels: readonly tf.KernelConfig[] = [
  conv2dConfig,
  fusedConv2dConfig,
  batchNormConfig,
  addConfig,
  subConfig,
  multiplyConfig,
  identityConfig,
  castConfig,
  sliceConfig,
  gatherConfig,
  batchMatMulConfig,
  adamUpdateConfig,
  reluGradConfig,
  conv2dBackpropFilterConfig,
  conv2dBackpropInputConfig,
  depthwiseConv2dConfig,
  depthwiseBackpropFilterConfig,
  depthwiseBackpropInputConfig,
  unsortedSegmentSumConfig,
  maxPoolGradConfig,
  avgPoolGradConfig,
  tileConfig,
  sumConfig,
  meanConfig,
  unpackConfig,
  lstmConfig,
  lstmGradConfig,
  gruConfig,
  gruGradConfig,
  maxGradConfig,
];

/**
 * Fixes for bugs in the cpu backend's own kernels (AvgPoolGrad: wrong divisor at padded
 * borders). Registered by registerWasmTrainingKernels and by initBackend for every choice,
 * so a thread that falls back to cpu (or switches to it) gets correct gradients too.
 */
export const cpuKernelFixes: readonly tf.KernelConfig[] = [avgPoolGradCpuConfig];

const replacedCpu = new Map<string, tf.KernelConfig>();

/** The cpu backend's own kernel that a fix replaced (for tests), or undefined. */
export function originalCpuKernel(name: string): tf.KernelConfig | undefined {
  return replacedCpu.get(name);
}

/** Registers configs whose kernelFunc is not already registered; returns their names. */
function registerAll(configs: readonly tf.KernelConfig[]): string[] {
  const changed: string[] = [];
  for (const config of configs) {
    const current = tf.getKernel(config.kernelName, config.backendName);
    if (current?.kernelFunc === config.kernelFunc) continue;
    // Most of these ship with wasm too (slow for the shapes of training, or wrong); ours
    // replace them, keeping the originals for fallbacks, and registerKernel would warn about
    // the duplicate without the unregister.
    if (config.backendName === 'wasm') rememberBundled(config.kernelName, config.kernelFunc);
    else if (config.backendName === 'cpu' && current != null) replacedCpu.set(config.kernelName, current);
    if (current != null) tf.unregisterKernel(config.kernelName, config.backendName);
    tf.registerKernel(config);
    changed.push(config.backendName === 'wasm' ? config.kernelName : `${config.kernelName}@${config.backendName}`);
  }
  return changed;
}

/** Registers the cpu fixes; idempotent. Returns the names (kernel@cpu) newly registered. */
export function registerCpuKernelFixes(): string[] {
  return registerAll(cpuKernelFixes);
}

/**
 * Registers the wasm kernels and the cpu fixes, and routes tf.fused.conv2d through NasFusedConv2D
 * (fused-conv2d.ts). Returns the names of the kernels that were (re)registered by this call (wasm
 * kernels by name, the cpu fixes as kernel@cpu).
 */
export function registerWasmTrainingKernels(): string[] {
  installFusedConv2D();
  return [...registerAll(wasmTrainingKernels), ...registerCpuKernelFixes()];
}
