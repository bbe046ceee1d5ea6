// The compute ceiling a training-speed ratio is up against: one float32 matrix product, timed on the
// wasm backend (our SIMD matmul kernel, what the engine trains with) and in PyTorch single-threaded
// (MKL/oneDNN with AVX2 and FMA) in the same run. wasm SIMD is 128 bits wide with no fused
// multiply-add in Node 20, so when torch does k times the GFLOP/s here, a model whose time is
// mostly such products cannot train faster than about k times torch's time, whatever the kernels.

import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../engine/training/backend.js';
import { median, PYTHON, pythonHas } from './util.js';

type Emit = (line: Record<string, unknown>) => void;

const TORCH = `
import json, sys, time, torch
torch.set_num_threads(1)
m, k, n, reps = (int(v) for v in sys.argv[1:5])
a = torch.rand(m, k); b = torch.rand(k, n)
torch.mm(a, b)
runs = []
for _ in range(reps):
    t0 = time.perf_counter(); torch.mm(a, b); runs.append(time.perf_counter() - t0)
runs.sort()
print(json.dumps({"ms": runs[len(runs) // 2] * 1000}))
`;

/** GFLOP/s of [m,k] x [k,n] on wasm and in torch (median of `reps`), one line. */
export async function matmulCeiling(
  emit: Emit,
  label: string,
  m: number,
  k: number,
  n: number,
  reps = 9,
): Promise<void> {
  await initBackend('wasm');
  const a = tf.randomUniform([m, k]);
  const b = tf.randomUniform([k, n]);
  tf.matMul(a, b).dispose();
  const runs: number[] = [];
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    const c = tf.matMul(a, b);
    c.dataSync();
    runs.push(performance.now() - t0);
    c.dispose();
  }
  tf.dispose([a, b]);
  const flop = 2 * m * k * n;
  const wasmMs = median(runs);
  const line: Record<string, unknown> = {
    figure: 'matmul_gflops',
    shape: label,
    m,
    k,
    n,
    wasm_gflops: +(flop / wasmMs / 1e6).toFixed(2),
  };
  if (await pythonHas(emit, 'torch-cpu', 'torch', 'python3-torch')) {
    const { stdout } = await promisify(execFile)(PYTHON, ['-c', TORCH, String(m), String(k), String(n), String(reps)]);
    const torchMs = (JSON.parse(stdout) as { ms: number }).ms;
    line.torch_gflops = +(flop / torchMs / 1e6).toFixed(2);
    line.torch_over_wasm = +(wasmMs / torchMs).toFixed(2);
  }
  emit(line);
}
