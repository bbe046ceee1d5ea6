/**
 * Identity, and Cast to the tensor's own dtype, for the wasm backend without a copy: the output
 * shares the input's data (reference-counted, as the wasm Reshape and the cpu Identity already
 * do; no kernel writes into data that another tensor holds: NasAdamUpdate writes in place only
 * into moments that one tensor holds alone). The bundled kernels copy the whole
 * tensor, and tfjs's gradients call them on every activation (0.07 ms per [64,28,28,16]).
 */
import * as tf from '@tensorflow/tfjs';
import { callBundled } from './bundled.js';
import { asWasm, share, type TensorInfo } from './wasm-ops.js';

export const identityConfig: tf.KernelConfig = {
  kernelName: 'Identity',
  backendName: 'wasm',
  kernelFunc: (args) => {
    const { x } = args.inputs as unknown as { x: TensorInfo };
    return x.dtype === 'string' ? callBundled('Identity', args) : share(asWasm(args.backend), x);
  },
};

export const castConfig: tf.KernelConfig = {
  kernelName: 'Cast',
  backendName: 'wasm',
  kernelFunc: (args) => {
    const { x } = args.inputs as unknown as { x: TensorInfo };
    const { dtype } = (args.attrs ?? {}) as unknown as tf.CastAttrs;
    return x.dtype === dtype && dtype !== 'string' ? share(asWasm(args.backend), x) : callBundled('Cast', args);
  },
};
