/**
 * Picks and initialises the tfjs backend for training.
 *
 * Order for 'auto': tfjs-node (native libtensorflow; optional dependency, usually absent
 * because its install downloads libtensorflow), then wasm with our training kernels, then
 * the pure-JS cpu backend. Call this in every thread that trains: the kernel registry and
 * the backend are per JS realm, so piscina workers each need their own call.
 */
import { availableParallelism } from 'node:os';
import * as tf from '@tensorflow/tfjs';
import { registerCpuKernelFixes, registerWasmTrainingKernels } from './kernels/index.js';
import { registerGradientFixes } from './kernels/gradients.js';

export type BackendChoice = 'auto' | 'tensorflow' | 'wasm' | 'cpu';
export type BackendName = 'tensorflow' | 'wasm' | 'cpu';

let wasmLoaded: Promise<boolean> | null = null;

/** Imports tfjs-backend-wasm once; resolves false when it cannot be loaded. */
function loadWasm(): Promise<boolean> {
  // In Node the package's main entry is its CJS node bundle, which finds its .wasm files
  // next to itself (dist/), and reports no thread support (no Blob workers), so it picks
  // the SIMD single-thread binary without setWasmPaths. Parallelism comes from the pool.
  wasmLoaded ??= import('@tensorflow/tfjs-backend-wasm').then(
    () => true,
    () => false,
  );
  return wasmLoaded;
}

/** Why tfjs-node did not load in this thread (for the one line `--verbose` prints), if it did not. */
let nativeFailure: string | undefined;

/**
 * tfjs-node registers the 'tensorflow' backend as a side effect of being imported. It is an optional
 * dependency: where its install script cannot download libtensorflow, npm drops it, or it is present
 * but its native binding fails to load. NAS_TFJS_NODE_MODULE names another module to import in its
 * place (tests use one that fails to load, as a broken install does).
 */
async function loadTensorflow(): Promise<boolean> {
  const name = process.env.NAS_TFJS_NODE_MODULE || '@tensorflow/tfjs-node';
  try {
    // A variable specifier keeps tsc from requiring the optional package's types.
    await import(name);
    if (tf.findBackendFactory('tensorflow') != null) return true;
    nativeFailure = `${name} loaded but registered no 'tensorflow' backend`;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    nativeFailure =
      code === 'ERR_MODULE_NOT_FOUND' && !process.env.NAS_TFJS_NODE_MODULE
        ? `${name} is not installed`
        : `${name} did not load (${(e instanceof Error ? e.message : String(e)).split('\n')[0]})`;
  }
  return false;
}

async function trySet(name: BackendName): Promise<boolean> {
  try {
    return await tf.setBackend(name);
  } catch {
    return false;
  }
}

async function initOne(name: BackendName): Promise<boolean> {
  if (name === 'tensorflow') return (await loadTensorflow()) && trySet('tensorflow');
  if (name === 'wasm') {
    if (!(await loadWasm())) return false;
    // Registered before any kernel runs on wasm; kernels without a setupFunc need no
    // backend instance, so registering before or after setBackend both work.
    registerWasmTrainingKernels();
    return trySet('wasm');
  }
  return trySet('cpu');
}

/**
 * Initialises the requested backend and returns the name of the one in use.
 * An explicit choice that cannot load throws; 'auto' falls back down the list.
 */
export async function initBackend(choice: BackendChoice, onNote?: (line: string) => void): Promise<BackendName> {
  const order: BackendName[] = choice === 'auto' ? ['tensorflow', 'wasm', 'cpu'] : [choice];
  // Fixes for the cpu backend's kernels (AvgPoolGrad); idempotent, and registered whatever
  // the choice, since code in this thread may still switch to cpu. Likewise the gradients.
  registerCpuKernelFixes();
  registerGradientFixes();
  for (const name of order) {
    if (await initOne(name)) {
      await tf.ready();
      if (choice === 'auto' && name !== 'tensorflow' && nativeFailure)
        onNote?.(`backend auto: ${nativeFailure}; training on ${name}`);
      return name;
    }
  }
  throw new Error(`tensor backend '${choice}' could not be initialised`);
}

/**
 * Worker-pool size allowed with a backend. tfjs-node is unreliable in more than one worker
 * thread of a process (tfjs issue #8388), and libtensorflow uses all cores by itself; wasm
 * and cpu are single-threaded per worker, so the pool supplies the parallelism.
 */
export function maxWorkersFor(backend: BackendName, cores: number = availableParallelism()): number {
  return backend === 'tensorflow' ? 1 : Math.max(1, cores);
}
