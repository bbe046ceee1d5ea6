/**
 * The recurrence of a whole LSTM or GRU sequence as one native call forward and one backward
 * (kernels of our own, wasm only; see native/kernels.c). tfjs-layers runs these layers as a JS loop
 * of ~15 small kernels per step forward and ~30 backward, whose dispatch and tiny matmuls were most of
 * a recurrent model's training time. The input projection x W + b is not here: the layer
 * (../model/recurrent.ts) takes it for all steps as one large matmul, and these kernels take it
 * (xp, [batch, steps, gates*units]) with the recurrent kernel u [units, gates*units].
 *
 * NasLSTM returns [y, h, c, gates] and NasGRU [y, h, gates]: y is the layer's output, every state
 * [batch, steps, units] (attr `sequences`) or the last one taken [batch, units]; h, c and the gates'
 * values ([steps, batch, ...], time-major) are what the backward kernels read. NasLSTMGrad and
 * NasGRUGrad return [dxp, du] from dy, y's gradient. They have no registered gradients: the layer
 * wraps them in a customGrad.
 */
import * as tf from '@tensorflow/tfjs';
import { asWasm, dispose, type TensorInfo, type WasmBackend } from './wasm-ops.js';
import { heapOffset, nativeKernels } from './native/module.js';

export const LSTM = 'NasLSTM';
export const LSTM_GRAD = 'NasLSTMGrad';
export const GRU = 'NasGRU';
export const GRU_GRAD = 'NasGRUGrad';

export interface RecurrentAttrs {
  /** Take the steps from the last to the first (a bidirectional layer's backward direction). */
  reverse: boolean;
  /** Recurrent activation: sigmoid, or tfjs-layers' default hard sigmoid. */
  sigmoid: boolean;
  /** y is every step's state, else the last one taken. */
  sequences: boolean;
}

type Args = Parameters<tf.KernelFunc>[0];
type Cell = 'lstm' | 'gru';

const GATES: Record<Cell, number> = { lstm: 4, gru: 3 };

function forward(cell: Cell, args: Args): TensorInfo[] {
  const backend = asWasm(args.backend);
  const { xp, u } = args.inputs as unknown as Record<'xp' | 'u', TensorInfo>;
  const a = args.attrs as unknown as RecurrentAttrs;
  const [batch, steps] = xp.shape;
  const units = u.shape[0];
  const y = backend.makeOutput(a.sequences ? [batch, steps, units] : [batch, units], 'float32');
  const h = backend.makeOutput([steps, batch, units], 'float32');
  const c = cell === 'lstm' ? backend.makeOutput([steps, batch, units], 'float32') : undefined;
  const gates = backend.makeOutput([steps, batch, GATES[cell] * units], 'float32');
  const flags = [batch, steps, units, +a.reverse, +a.sigmoid, +a.sequences] as const;
  // offsets taken after every allocation (one may grow the heap)
  const at = (t: TensorInfo) => heapOffset(backend, t);
  if (c !== undefined) {
    nativeKernels(backend).lstm_forward(at(xp), at(u), at(y), at(h), at(c), at(gates), ...flags);
    return [y, h, c, gates];
  }
  const rh = scratch(backend, batch * units);
  nativeKernels(backend).gru_forward(at(xp), at(u), at(y), at(h), at(gates), at(rh), ...flags);
  dispose(backend, rh);
  return [y, h, gates];
}

function backward(cell: Cell, args: Args): TensorInfo[] {
  const backend = asWasm(args.backend);
  const { dy, u, h, c, gates } = args.inputs as unknown as Record<'dy' | 'u' | 'h' | 'c' | 'gates', TensorInfo>;
  const a = args.attrs as unknown as RecurrentAttrs;
  const [steps, batch, units] = h.shape;
  const g = GATES[cell];
  const dxp = backend.makeOutput([batch, steps, g * units], 'float32');
  const du = backend.makeOutput(u.shape, 'float32');
  // u^T, the running state gradients and one step's dz (see kernels.c)
  const tmp = scratch(backend, g * units * units + 6 * batch * units);
  const at = (t: TensorInfo) => heapOffset(backend, t);
  const flags = [batch, steps, units, +a.reverse, +a.sigmoid, +a.sequences] as const;
  if (cell === 'lstm') {
    nativeKernels(backend).lstm_backward(at(dy), at(u), at(h), at(c), at(gates), at(dxp), at(du), at(tmp), ...flags);
  } else {
    nativeKernels(backend).gru_backward(at(dy), at(u), at(h), at(gates), at(dxp), at(du), at(tmp), ...flags);
  }
  dispose(backend, tmp);
  return [dxp, du];
}

/** A float32 buffer for the kernel's own use, freed by the caller. */
function scratch(backend: WasmBackend, floats: number): TensorInfo {
  return backend.makeOutput([Math.max(1, floats)], 'float32');
}

const config = (kernelName: string, f: (args: Args) => TensorInfo[]): tf.KernelConfig => ({
  kernelName,
  backendName: 'wasm',
  kernelFunc: f as unknown as tf.KernelFunc,
});

export const lstmConfig = config(LSTM, (args) => forward('lstm', args));
export const lstmGradConfig = config(LSTM_GRAD, (args) => backward('lstm', args));
export const gruConfig = config(GRU, (args) => forward('gru', args));
export const gruGradConfig = config(GRU_GRAD, (args) => backward('gru', args));
