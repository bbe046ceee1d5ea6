/**
 * The project's SIMD kernels (kernels.c, compiled into kernels-wasm.ts), instantiated once per
 * wasm backend on that backend's own memory: they take byte offsets of tensors on the backend's
 * heap and work in place, so calling one costs no copy.
 */
import { KERNELS_WASM_BASE64 } from './kernels-wasm.js';
import type { TensorInfo } from '../wasm-ops.js';

export interface NativeKernels {
  conv2d_backprop_filter(
    x: number,
    dy: number,
    out: number,
    n: number,
    h: number,
    w: number,
    ci: number,
    oh: number,
    ow: number,
    co: number,
    fh: number,
    fw: number,
    sh: number,
    sw: number,
    dh: number,
    dw: number,
    top: number,
    left: number,
  ): void;
  conv2d(
    xp: number,
    w: number,
    y: number,
    n: number,
    ph: number,
    pw: number,
    ci: number,
    oh: number,
    ow: number,
    co: number,
    fh: number,
    fw: number,
    sh: number,
    sw: number,
    dh: number,
    dw: number,
    bias: number,
    relu: number,
  ): void;
  matmul(a: number, b: number, c: number, m: number, k: number, n: number): void;
  conv2d_backprop_input(
    dy: number,
    wt: number,
    dxp: number,
    n: number,
    oh: number,
    ow: number,
    co: number,
    ph: number,
    pw: number,
    ci: number,
    fh: number,
    fw: number,
    sh: number,
    sw: number,
    dh: number,
    dw: number,
  ): void;
  pad_nhwc(
    x: number,
    out: number,
    n: number,
    h: number,
    w: number,
    c: number,
    ph: number,
    pw: number,
    top: number,
    left: number,
  ): void;
  crop_nhwc(
    xp: number,
    out: number,
    n: number,
    ph: number,
    pw: number,
    c: number,
    h: number,
    w: number,
    top: number,
    left: number,
  ): void;
  swap_filter_channels(w: number, out: number, taps: number, ci: number, co: number): void;
  batch_norm(
    x: number,
    out: number,
    rows: number,
    c: number,
    mean: number,
    variance: number,
    offset: number,
    scale: number,
    hasOffset: number,
    hasScale: number,
    eps: number,
    coef: number,
  ): void;
  channel_binary(full: number, vec: number, out: number, rows: number, c: number, op: number, vecFirst: number): void;
  repeat_rows(x: number, out: number, a: number, r: number, b: number): void;
  slice4(
    x: number,
    out: number,
    d1: number,
    d2: number,
    d3: number,
    b0: number,
    b1: number,
    b2: number,
    b3: number,
    s0: number,
    s1: number,
    s2: number,
    s3: number,
  ): void;
  avg_pool_grad(
    dy: number,
    dx: number,
    n: number,
    h: number,
    w: number,
    c: number,
    oh: number,
    ow: number,
    fh: number,
    fw: number,
    sh: number,
    sw: number,
    top: number,
    left: number,
  ): void;
  depthwise_conv2d(
    xp: number,
    w: number,
    y: number,
    n: number,
    ph: number,
    pw: number,
    c: number,
    m: number,
    oh: number,
    ow: number,
    fh: number,
    fw: number,
    sh: number,
    sw: number,
    dh: number,
    dw: number,
  ): void;
  depthwise_backprop_input(
    dy: number,
    w: number,
    dx: number,
    n: number,
    h: number,
    wd: number,
    c: number,
    m: number,
    oh: number,
    ow: number,
    fh: number,
    fw: number,
    sh: number,
    sw: number,
    dh: number,
    dw: number,
    top: number,
    left: number,
  ): void;
  depthwise_backprop_filter(
    xp: number,
    dy: number,
    out: number,
    n: number,
    ph: number,
    pw: number,
    c: number,
    m: number,
    oh: number,
    ow: number,
    fh: number,
    fw: number,
    sh: number,
    sw: number,
    dh: number,
    dw: number,
  ): void;
  transpose_last2(x: number, out: number, batch: number, rows: number, cols: number): void;
  adam_update(
    w: number,
    g: number,
    m: number,
    v: number,
    wOut: number,
    mOut: number,
    vOut: number,
    n: number,
    b1: number,
    b2: number,
    c1: number,
    c2: number,
    lr: number,
    eps: number,
  ): void;
  relu_grad(dy: number, x: number, dx: number, n: number): void;
  sum_rows(x: number, out: number, rows: number, cols: number, scale: number): void;
  max_pool_grad_2x2(
    x: number,
    dy: number,
    dx: number,
    n: number,
    h: number,
    w: number,
    c: number,
    oh: number,
    ow: number,
  ): void;
  max_pool_grad(
    x: number,
    dy: number,
    dx: number,
    n: number,
    h: number,
    w: number,
    c: number,
    oh: number,
    ow: number,
    fh: number,
    fw: number,
    sh: number,
    sw: number,
    top: number,
    left: number,
  ): void;
  lstm_forward(
    xp: number,
    u: number,
    y: number,
    h: number,
    c: number,
    gates: number,
    batch: number,
    steps: number,
    units: number,
    reverse: number,
    sig: number,
    seq: number,
  ): void;
  lstm_backward(
    dy: number,
    u: number,
    h: number,
    c: number,
    gates: number,
    dxp: number,
    du: number,
    scratch: number,
    batch: number,
    steps: number,
    units: number,
    reverse: number,
    sig: number,
    seq: number,
  ): void;
  gru_forward(
    xp: number,
    u: number,
    y: number,
    h: number,
    gates: number,
    scratch: number,
    batch: number,
    steps: number,
    units: number,
    reverse: number,
    sig: number,
    seq: number,
  ): void;
  gru_backward(
    dy: number,
    u: number,
    h: number,
    gates: number,
    dxp: number,
    du: number,
    scratch: number,
    batch: number,
    steps: number,
    units: number,
    reverse: number,
    sig: number,
    seq: number,
  ): void;
  max_grad_mid(x: number, y: number, dy: number, dx: number, outer: number, mid: number, inner: number): void;
  gather_rows(x: number, idx: number, out: number, outer: number, dim: number, count: number, inner: number): void;
}

/** The part of tfjs-backend-wasm's BackendWasm this needs: its Emscripten module and tensor table. */
export interface HeapBackend {
  wasm: { asm: { memory: WebAssembly.Memory } };
  dataIdMap: { get(dataId: object): { memoryOffset: number } | undefined };
}

let compiled: WebAssembly.Module | undefined;
const instances = new WeakMap<object, NativeKernels>();

export function nativeKernels(backend: object): NativeKernels {
  let k = instances.get(backend);
  if (k == null) {
    const memory = (backend as Partial<HeapBackend>).wasm?.asm?.memory;
    if (!(memory instanceof WebAssembly.Memory))
      throw new Error('training kernels: the wasm backend exposes no memory');
    compiled ??= new WebAssembly.Module(Buffer.from(KERNELS_WASM_BASE64, 'base64'));
    k = new WebAssembly.Instance(compiled, { env: { memory } }).exports as unknown as NativeKernels;
    instances.set(backend, k);
  }
  return k;
}

/** Byte offset of a tensor's data on the backend's heap. */
export function heapOffset(backend: object, info: TensorInfo): number {
  const entry = (backend as HeapBackend).dataIdMap.get(info.dataId as object);
  if (entry == null) throw new Error('training kernels: tensor not found on the wasm heap');
  return entry.memoryOffset;
}
