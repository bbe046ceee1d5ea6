// The recurrence of an LSTM or GRU over a whole sequence, from the input projection xp = x W + b
// ([batch, steps, gates*units], taken for all steps at once by the layer) and the recurrent kernel u
// ([units, gates*units]). The maths is tfjs-layers' LSTMCell and GRUCell (gate order i, f, c, o and
// z, r, h; the GRU's reset gate applied before its recurrent product, Keras' reset_after = false,
// the only form tfjs has), with zero initial states.
//
// Where the backend has our kernels (wasm: ../kernels/recurrent.ts) the whole sequence is one native
// call forward and one backward (BPTT), joined by a customGrad; elsewhere (cpu, tfjs-node) the same
// maths as plain, differentiable tf ops, step by step, which is also what the tests check the
// kernels against.

import * as tf from '@tensorflow/tfjs';
import { GRU, GRU_GRAD, LSTM, LSTM_GRAD, type RecurrentAttrs } from '../kernels/recurrent.js';

export type Cell = 'lstm' | 'gru';

export interface RecurrenceOptions {
  cell: Cell;
  /** Take the steps from the last to the first; states stay at their own step (Keras' re-reversed output). */
  reverse: boolean;
  /** Recurrent activation sigmoid, or tfjs-layers' default hard sigmoid. */
  sigmoid: boolean;
  /** Every step's state [batch, steps, units], or only the last one taken [batch, units]. */
  returnSequences: boolean;
}

export const GATES: Record<Cell, number> = { lstm: 4, gru: 3 };

/** The hidden states of the recurrence (see the header). */
export function recurrence(xp: tf.Tensor3D, u: tf.Tensor2D, o: RecurrenceOptions): tf.Tensor {
  const kernel = o.cell === 'lstm' ? LSTM : GRU;
  if (xp.dtype === 'float32' && tf.getKernel(kernel, tf.getBackend()) !== undefined) return fused(xp, u, o);
  return stepwise(xp, u, o);
}

function fused(xp: tf.Tensor3D, u: tf.Tensor2D, o: RecurrenceOptions): tf.Tensor {
  const attrs: RecurrentAttrs = { reverse: o.reverse, sigmoid: o.sigmoid, sequences: o.returnSequences };
  const named = attrs as unknown as tf.NamedAttrMap;
  const lstm = o.cell === 'lstm';
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [x, w, save] = args as [tf.Tensor, tf.Tensor, tf.GradSaveFunc];
    const [y, ...state] = tf.engine().runKernel(lstm ? LSTM : GRU, { xp: x, u: w }, named) as tf.Tensor[];
    save([w, ...state]); // u, h, (c,) gates
    return {
      value: y,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [uS, h, ...rest] = saved;
        const inputs: tf.NamedTensorMap = lstm
          ? { dy, u: uS, h, c: rest[0], gates: rest[1] }
          : { dy, u: uS, h, gates: rest[0] };
        return tf.engine().runKernel(lstm ? LSTM_GRAD : GRU_GRAD, inputs, named) as tf.Tensor[];
      },
    };
  });
  return op(xp, u);
}

function ract(x: tf.Tensor, sigmoid: boolean): tf.Tensor {
  // tfjs-layers' hardSigmoid, in its order of operations
  return sigmoid ? tf.sigmoid(x) : tf.clipByValue(tf.add(0.5, tf.mul(0.2, x)), 0, 1);
}

function stepwise(xp: tf.Tensor3D, u: tf.Tensor2D, o: RecurrenceOptions): tf.Tensor {
  return tf.tidy(() => {
    const [batch, steps] = xp.shape;
    const units = u.shape[0];
    // tfjs' Unpack gradient fails on a single output (it gets dy, not [dy]): one step is a reshape
    const inputs = steps === 1 ? [tf.reshape(xp, [batch, -1])] : tf.unstack(xp, 1);
    const order = Array.from({ length: steps }, (_, s) => (o.reverse ? steps - 1 - s : s));
    const states: tf.Tensor[] = new Array<tf.Tensor>(steps);
    let h: tf.Tensor = tf.zeros([batch, units]);
    let c: tf.Tensor = tf.zeros([batch, units]);
    const [uzr, uh] = o.cell === 'gru' ? tf.split(u, [2 * units, units], 1) : [u, u];
    for (const t of order) {
      if (o.cell === 'lstm') {
        const [zi, zf, zc, zo] = tf.split(tf.add(inputs[t], tf.matMul(h, u)), 4, 1);
        c = tf.add(tf.mul(ract(zf, o.sigmoid), c), tf.mul(ract(zi, o.sigmoid), tf.tanh(zc)));
        h = tf.mul(ract(zo, o.sigmoid), tf.tanh(c));
      } else {
        const [xz, xr, xh] = tf.split(inputs[t], 3, 1);
        const [rz, rr] = tf.split(tf.matMul(h, uzr), 2, 1);
        const z = ract(tf.add(xz, rz), o.sigmoid);
        const r = ract(tf.add(xr, rr), o.sigmoid);
        const hh = tf.tanh(tf.add(xh, tf.matMul(tf.mul(r, h), uh)));
        h = tf.add(tf.mul(z, h), tf.mul(tf.sub(1, z), hh));
      }
      states[t] = h;
    }
    if (!o.returnSequences) return h;
    return steps === 1 ? tf.expandDims(h, 1) : tf.stack(states, 1);
  });
}
