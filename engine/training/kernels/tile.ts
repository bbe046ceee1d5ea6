/**
 * Tile for the wasm backend, replacing the bundled one: that is a generic per-element C
 * loop (~45 ns/element; 17 ms for the [N,H,W,C] tile in tfjs's batch-norm gradient).
 *
 * tile(x, reps) is a broadcast: viewing x as [1,d0,1,d1,...] and the output as
 * [r0,d0,r1,d1,...], out = zeros + x under broadcasting, which wasm's Add does fast.
 * Axes with r=1 or d=1 need no interleaving, so the rank usually stays the same.
 * bool has no Add; it keeps the bundled kernel.
 */
import * as tf from '@tensorflow/tfjs';
import {callBundled} from './bundled.js';
import {asWasm, call, dispose, reshape, type TensorInfo} from './wasm-ops.js';

function tile(args: {inputs: tf.NamedTensorInfoMap; backend: {}; attrs?: tf.NamedAttrMap}): TensorInfo {
  const backend = asWasm(args.backend);
  const {reps} = (args.attrs ?? {}) as unknown as tf.TileAttrs;
  const {x} = args.inputs as unknown as {x: TensorInfo};
  if (x.dtype !== 'float32' && x.dtype !== 'int32') {
    return callBundled('Tile', args);
  }
  const xView: number[] = [], outView: number[] = [];
  x.shape.forEach((d, i) => {
    const r = reps[i];
    if (r === 1 || d === 1) {
      xView.push(d);
      outView.push(d * r);
    } else {
      xView.push(1, d);
      outView.push(r, d);
    }
  });
  const outShape = x.shape.map((d, i) => d * reps[i]);
  const zeros = call('Fill', backend, {}, {shape: outView, value: 0, dtype: x.dtype});
  const xr = reshape(backend, x, xView);
  const sum = call('Add', backend, {a: zeros, b: xr});
  const out = reshape(backend, sum, outShape);
  dispose(backend, zeros, xr, sum);
  return out;
}

export const tileConfig: tf.KernelConfig = {
  kernelName: 'Tile',
  backendName: 'wasm',
  kernelFunc: tile,
};
