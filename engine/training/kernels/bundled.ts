/**
 * The wasm backend's own kernels that ours replace, kept for the cases ours hand back.
 *
 * A kernel unregistered before the wasm backend was created never had its setupFunc run
 * (that is what binds its C function), so calling it runs setupFunc once per backend.
 */
import * as tf from '@tensorflow/tfjs';

const saved = new Map<string, tf.KernelConfig>();
const ready = new Map<string, WeakSet<object>>();

/** Records the currently registered wasm kernel `name` unless it is `ours`. */
export function rememberBundled(name: string, ours: tf.KernelFunc): void {
  const current = tf.getKernel(name, 'wasm');
  if (current != null && current.kernelFunc !== ours) saved.set(name, current);
}

export function callBundled(name: string, args: Parameters<tf.KernelFunc>[0]): tf.TensorInfo {
  const config = saved.get(name);
  if (config == null) throw new Error(`training kernels: no bundled wasm ${name} to fall back to`);
  const backend = args.backend as object;
  let done = ready.get(name);
  if (done == null) ready.set(name, (done = new WeakSet()));
  if (!done.has(backend)) {
    config.setupFunc?.(backend);
    done.add(backend);
  }
  const out = config.kernelFunc(args);
  return Array.isArray(out) ? out[0] : out;
}
