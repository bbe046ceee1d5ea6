/*
 * SIMD training kernels for tfjs-backend-wasm, built into a small wasm module that imports the
 * backend's own memory, so that they read and write tensors in place (no copies).
 *
 * Build: npm run build:kernels (needs clang and wasm-ld, Debian: clang lld; writes
 * kernels-wasm.ts next to this file). The module must not touch linear memory of its own:
 * no data, no static variables and no shadow stack (all state lives in wasm locals), since
 * every byte of the imported memory belongs to the backend. The build refuses a data section
 * and links a zero-size stack at address 0, so that any stack use traps.
 *
 * Tensors are NHWC float32 unless a kernel says otherwise.
 */
#include <wasm_simd128.h>

#define EXPORT(name) __attribute__((export_name(name)))
#define INLINE static inline __attribute__((always_inline))

INLINE int min_i(int a, int b) { return a < b ? a : b; }
INLINE int max_i(int a, int b) { return a > b ? a : b; }

/* Smallest k >= 0 with k*s + off >= 0. */
INLINE int first_valid(int off, int s) { return off >= 0 ? 0 : (-off + s - 1) / s; }
/* Number of k with k*s + off < limit (never negative), capped at n. */
INLINE int end_valid(int off, int s, int limit, int n) {
  int room = limit - off;
  return room <= 0 ? 0 : min_i(n, (room + s - 1) / s);
}

INLINE void zero(float *p, int count) {
  int i = 0;
  v128_t z = wasm_f32x4_splat(0.0f);
  for (; i + 4 <= count; i += 4) wasm_v128_store(p + i, z);
  for (; i < count; i++) p[i] = 0.0f;
}

/*
 * The step every GEMM-like kernel here repeats: acc[p][v] += s[p * s_step] * v_src[4v..4v+3]
 * for P broadcast scalars and NV vectors (P*NV multiply-adds, accumulators kept in registers).
 */
INLINE void outer_accumulate(v128_t acc[4][2], int P, int NV, const float *s, int s_step, const float *v_src) {
  v128_t f[2];
  for (int v = 0; v < NV; v++) f[v] = wasm_v128_load(v_src + 4 * v);
  for (int p = 0; p < P; p++) {
    const v128_t x = wasm_v128_load32_splat(s + p * s_step);
    for (int v = 0; v < NV; v++) acc[p][v] = wasm_f32x4_add(acc[p][v], wasm_f32x4_mul(x, f[v]));
  }
}

/*
 * One block of dW for a fixed filter tap (a, b): KC input channels [k0, k0+KC) by NV*4 output
 * channels [m0, m0+4*NV), accumulated over the rows [i0, i1) and columns [j0, j1) of one
 * sample's dy. The accumulators stay in registers across the whole sample; each step is NV
 * vector loads of dy, KC broadcasts of x, and KC*NV multiply-adds.
 */
INLINE void bpf_block(const float *xs, const float *gs, float *o, int KC, int NV, int ci, int co,
                      int w, int ow, int sh, int sw, int roff, int coff, int i0, int i1, int j0,
                      int j1, int k0, int m0) {
  v128_t acc[4][2];
  for (int k = 0; k < KC; k++)
    for (int v = 0; v < NV; v++) acc[k][v] = wasm_v128_load(o + (k0 + k) * co + m0 + 4 * v);
  const int xstep = sw * ci;
  for (int i = i0; i < i1; i++) {
    const float *xr = xs + ((i * sh + roff) * w + j0 * sw + coff) * ci + k0;
    const float *gr = gs + (i * ow + j0) * co + m0;
    for (int j = j0; j < j1; j++) {
      outer_accumulate(acc, KC, NV, xr, 1, gr);
      xr += xstep;
      gr += co;
    }
  }
  for (int k = 0; k < KC; k++)
    for (int v = 0; v < NV; v++) wasm_v128_store(o + (k0 + k) * co + m0 + 4 * v, acc[k][v]);
}

/* The output channels m0.. that no vector covers (co % 4 of them), one at a time. */
INLINE void bpf_scalar(const float *xs, const float *gs, float *o, int ci, int co, int w, int ow,
                       int sh, int sw, int roff, int coff, int i0, int i1, int j0, int j1, int m0) {
  for (int k = 0; k < ci; k++) {
    for (int m = m0; m < co; m++) {
      float s = o[k * co + m];
      for (int i = i0; i < i1; i++) {
        const float *xr = xs + ((i * sh + roff) * w + j0 * sw + coff) * ci + k;
        const float *gr = gs + (i * ow + j0) * co + m;
        for (int j = j0; j < j1; j++) {
          s += *xr * *gr;
          xr += sw * ci;
          gr += co;
        }
      }
      o[k * co + m] = s;
    }
  }
}

/* All input channels for output channels [m0, m0 + 4*NV). */
INLINE void bpf_columns(const float *xs, const float *gs, float *o, int NV, int ci, int co, int w,
                        int ow, int sh, int sw, int roff, int coff, int i0, int i1, int j0, int j1,
                        int m0) {
  int k = 0;
  for (; k + 4 <= ci; k += 4) bpf_block(xs, gs, o, 4, NV, ci, co, w, ow, sh, sw, roff, coff, i0, i1, j0, j1, k, m0);
  for (; k + 2 <= ci; k += 2) bpf_block(xs, gs, o, 2, NV, ci, co, w, ow, sh, sw, roff, coff, i0, i1, j0, j1, k, m0);
  for (; k < ci; k++) bpf_block(xs, gs, o, 1, NV, ci, co, w, ow, sh, sw, roff, coff, i0, i1, j0, j1, k, m0);
}

/*
 * dW[a,b,k,m] = sum over n,i,j of x[n, i*sh + a*dh - top, j*sw + b*dw - left, k] * dy[n,i,j,m],
 * terms outside x skipped (zero padding). x: [n,h,w,ci], dy: [n,oh,ow,co], out: [fh,fw,ci,co].
 * Sample by sample, so that one sample's x and dy stay in cache while every tap and channel
 * block passes over them.
 */
EXPORT("conv2d_backprop_filter")
void conv2d_backprop_filter(const float *x, const float *dy, float *out, int n, int h, int w,
                            int ci, int oh, int ow, int co, int fh, int fw, int sh, int sw, int dh,
                            int dw, int top, int left) {
  zero(out, fh * fw * ci * co);
  for (int s = 0; s < n; s++) {
    const float *xs = x + s * h * w * ci;
    const float *gs = dy + s * oh * ow * co;
    for (int a = 0; a < fh; a++) {
      const int roff = a * dh - top;
      const int i0 = first_valid(roff, sh), i1 = end_valid(roff, sh, h, oh);
      if (i0 >= i1) continue;
      for (int b = 0; b < fw; b++) {
        const int coff = b * dw - left;
        const int j0 = first_valid(coff, sw), j1 = end_valid(coff, sw, w, ow);
        if (j0 >= j1) continue;
        float *o = out + (a * fw + b) * ci * co;
        int m = 0;
        for (; m + 8 <= co; m += 8) bpf_columns(xs, gs, o, 2, ci, co, w, ow, sh, sw, roff, coff, i0, i1, j0, j1, m);
        for (; m + 4 <= co; m += 4) bpf_columns(xs, gs, o, 1, ci, co, w, ow, sh, sw, roff, coff, i0, i1, j0, j1, m);
        if (m < co) bpf_scalar(xs, gs, o, ci, co, w, ow, sh, sw, roff, coff, i0, i1, j0, j1, m);
      }
    }
  }
}

/*
 * Copies x [n,h,w,c] into out [n,ph,pw,c] at offset (top, left), zeros around it; parts of x
 * beyond out (a VALID convolution's unread last rows) are dropped.
 */
EXPORT("pad_nhwc")
void pad_nhwc(const float *x, float *out, int n, int h, int w, int c, int ph, int pw, int top,
              int left) {
  zero(out, n * ph * pw * c);
  const int rows = min_i(h, ph - top), cols = min_i(w, pw - left);
  for (int s = 0; s < n; s++)
    for (int r = 0; r < rows; r++) {
      const float *src = x + ((s * h + r) * w) * c;
      float *dst = out + ((s * ph + r + top) * pw + left) * c;
      for (int i = 0; i < cols * c; i++) dst[i] = src[i];
    }
}

/* The inverse: out [n,h,w,c] = xp [n,ph,pw,c] at offset (top, left); rows of out beyond xp are zero. */
EXPORT("crop_nhwc")
void crop_nhwc(const float *xp, float *out, int n, int ph, int pw, int c, int h, int w, int top,
               int left) {
  const int rows = min_i(h, ph - top), cols = min_i(w, pw - left);
  if (rows < h || cols < w) zero(out, n * h * w * c);
  for (int s = 0; s < n; s++)
    for (int r = 0; r < rows; r++) {
      const float *src = xp + ((s * ph + r + top) * pw + left) * c;
      float *dst = out + ((s * h + r) * w) * c;
      for (int i = 0; i < cols * c; i++) dst[i] = src[i];
    }
}

/*
 * P output pixels (columns j..j+P-1 of row i) by NV*4 output channels from m0: the taps and
 * input channels are the reduction, so the accumulators stay in registers throughout; each
 * step is NV vector loads of the filter, P broadcasts of x and P*NV multiply-adds.
 */
INLINE void conv_block(const float *xs, const float *wt, float *ys, int P, int NV, int pw, int ci,
                       int ow, int co, int fh, int fw, int sh, int sw, int dh, int dw, int i, int j,
                       int m0) {
  v128_t acc[4][2];
  for (int p = 0; p < P; p++)
    for (int v = 0; v < NV; v++) acc[p][v] = wasm_f32x4_splat(0.0f);
  const int pstep = sw * ci;
  for (int a = 0; a < fh; a++) {
    for (int b = 0; b < fw; b++) {
      const float *xr = xs + ((i * sh + a * dh) * pw + j * sw + b * dw) * ci;
      const float *wr = wt + (a * fw + b) * ci * co + m0;
      for (int k = 0; k < ci; k++) {
        outer_accumulate(acc, P, NV, xr + k, pstep, wr);
        wr += co;
      }
    }
  }
  for (int p = 0; p < P; p++)
    for (int v = 0; v < NV; v++) wasm_v128_store(ys + ((i * ow + j + p) * co) + m0 + 4 * v, acc[p][v]);
}

/* conv_block for one input channel: no channel loop, the taps' x read straight along the row. */
INLINE void conv_block_c1(const float *xs, const float *wt, float *ys, int P, int NV, int pw, int ow,
                          int co, int fh, int fw, int sh, int sw, int dh, int dw, int i, int j, int m0) {
  v128_t acc[4][2];
  for (int p = 0; p < P; p++)
    for (int v = 0; v < NV; v++) acc[p][v] = wasm_f32x4_splat(0.0f);
  for (int a = 0; a < fh; a++) {
    const float *xr = xs + (i * sh + a * dh) * pw + j * sw;
    const float *wr = wt + a * fw * co + m0;
    for (int b = 0; b < fw; b++) {
      outer_accumulate(acc, P, NV, xr, sw, wr);
      xr += dw;
      wr += co;
    }
  }
  for (int p = 0; p < P; p++)
    for (int v = 0; v < NV; v++) wasm_v128_store(ys + ((i * ow + j + p) * co) + m0 + 4 * v, acc[p][v]);
}

INLINE void conv_row(const float *xs, const float *wt, float *ys, int NV, int pw, int ci, int ow,
                     int co, int fh, int fw, int sh, int sw, int dh, int dw, int i, int m0) {
  int j = 0;
  if (ci == 1) {
    for (; j + 4 <= ow; j += 4) conv_block_c1(xs, wt, ys, 4, NV, pw, ow, co, fh, fw, sh, sw, dh, dw, i, j, m0);
    switch (ow - j) {
      case 3: conv_block_c1(xs, wt, ys, 3, NV, pw, ow, co, fh, fw, sh, sw, dh, dw, i, j, m0); break;
      case 2: conv_block_c1(xs, wt, ys, 2, NV, pw, ow, co, fh, fw, sh, sw, dh, dw, i, j, m0); break;
      case 1: conv_block_c1(xs, wt, ys, 1, NV, pw, ow, co, fh, fw, sh, sw, dh, dw, i, j, m0); break;
    }
    return;
  }
  for (; j + 4 <= ow; j += 4) conv_block(xs, wt, ys, 4, NV, pw, ci, ow, co, fh, fw, sh, sw, dh, dw, i, j, m0);
  /* the last 1-3 pixels as one block, not one by one: a narrow block reloads the filter per pixel */
  switch (ow - j) {
    case 3: conv_block(xs, wt, ys, 3, NV, pw, ci, ow, co, fh, fw, sh, sw, dh, dw, i, j, m0); break;
    case 2: conv_block(xs, wt, ys, 2, NV, pw, ci, ow, co, fh, fw, sh, sw, dh, dw, i, j, m0); break;
    case 1: conv_block(xs, wt, ys, 1, NV, pw, ci, ow, co, fh, fw, sh, sw, dh, dw, i, j, m0); break;
  }
}

/*
 * y = relu(y + bias) over one output row (pixels x co), while the row is still in L1: a training
 * step's conv -> bias -> relu then writes one activation instead of three. bias may be 0 (none).
 * relu keeps NaN as tfjs's Relu does (x < 0 ? 0 : x).
 */
INLINE void bias_relu_row(float *y, int pixels, int co, const float *bias, int relu) {
  const v128_t zero4 = wasm_f32x4_splat(0.0f);
  for (int p = 0; p < pixels; p++, y += co) {
    int m = 0;
    for (; m + 4 <= co; m += 4) {
      v128_t v = wasm_v128_load(y + m);
      if (bias) v = wasm_f32x4_add(v, wasm_v128_load(bias + m));
      if (relu) v = wasm_f32x4_pmax(v, zero4);
      wasm_v128_store(y + m, v);
    }
    for (; m < co; m++) {
      float v = bias ? y[m] + bias[m] : y[m];
      y[m] = relu && v < 0.0f ? 0.0f : v;
    }
  }
}

/*
 * Conv2D on an input padded beforehand (pad_nhwc), so that every tap of every output pixel is
 * inside it: y[n,i,j,m] = sum over a,b,k of xp[n, i*sh + a*dh, j*sw + b*dw, k] * wt[a,b,k,m],
 * then + bias[m] (when bias is not 0) and relu (when relu is 1), row by row.
 * xp: [n,ph,pw,ci], wt: [fh,fw,ci,co], y: [n,oh,ow,co].
 */
EXPORT("conv2d")
void conv2d(const float *xp, const float *wt, float *y, int n, int ph, int pw, int ci, int oh,
            int ow, int co, int fh, int fw, int sh, int sw, int dh, int dw, const float *bias, int relu) {
  for (int s = 0; s < n; s++) {
    const float *xs = xp + s * ph * pw * ci;
    float *ys = y + s * oh * ow * co;
    for (int i = 0; i < oh; i++) {
      int m = 0;
      for (; m + 8 <= co; m += 8) conv_row(xs, wt, ys, 2, pw, ci, ow, co, fh, fw, sh, sw, dh, dw, i, m);
      for (; m + 4 <= co; m += 4) conv_row(xs, wt, ys, 1, pw, ci, ow, co, fh, fw, sh, sw, dh, dw, i, m);
      for (; m < co; m++) {
        for (int j = 0; j < ow; j++) {
          float sum = 0.0f;
          for (int a = 0; a < fh; a++)
            for (int b = 0; b < fw; b++) {
              const float *xr = xs + ((i * sh + a * dh) * pw + j * sw + b * dw) * ci;
              const float *wr = wt + (a * fw + b) * ci * co + m;
              for (int k = 0; k < ci; k++) sum += xr[k] * wr[k * co];
            }
          ys[(i * ow + j) * co + m] = sum;
        }
      }
      if (bias || relu) bias_relu_row(ys + i * ow * co, ow, co, bias, relu);
    }
  }
}

/*
 * P rows of C (from i) by NV*4 columns (from j), over the reduction rows [k0, k0 + kc) of B: the
 * accumulators start from C (zero for the first block) and stay in registers for the block.
 */
INLINE void mm_block(const float *a, const float *b, float *c, int P, int NV, int k, int n, int k0,
                     int kc, int i, int j) {
  v128_t acc[4][2];
  for (int p = 0; p < P; p++)
    for (int v = 0; v < NV; v++) acc[p][v] = wasm_f32x4_splat(0.0f);
  const float *ar = a + i * k + k0;
  const float *br = b + k0 * n + j;
  for (int r = 0; r < kc; r++) {
    outer_accumulate(acc, P, NV, ar + r, k, br);
    br += n;
  }
  if (k0 == 0) {
    for (int p = 0; p < P; p++)
      for (int v = 0; v < NV; v++) wasm_v128_store(c + (i + p) * n + j + 4 * v, acc[p][v]);
  } else {
    for (int p = 0; p < P; p++)
      for (int v = 0; v < NV; v++) {
        float *o = c + (i + p) * n + j + 4 * v;
        wasm_v128_store(o, wasm_f32x4_add(wasm_v128_load(o), acc[p][v]));
      }
  }
}

INLINE void mm_cols(const float *a, const float *b, float *c, int NV, int i0, int i1, int k, int n, int k0, int kc, int j) {
  int i = i0;
  for (; i + 4 <= i1; i += 4) mm_block(a, b, c, 4, NV, k, n, k0, kc, i, j);
  switch (i1 - i) {
    case 3: mm_block(a, b, c, 3, NV, k, n, k0, kc, i, j); break;
    case 2: mm_block(a, b, c, 2, NV, k, n, k0, kc, i, j); break;
    case 1: mm_block(a, b, c, 1, NV, k, n, k0, kc, i, j); break;
  }
}

/*
 * C = A x B for row-major A [m,k], B [k,n], C [m,n]. The reduction is taken in blocks of 256 rows
 * of B, and each block column by column (256 x 8 floats, kept in L1 while every row block of A
 * passes over it), so that a B larger than the cache (a flatten head's [6272,128] weights, 3.2 MB)
 * is read from memory once, not once per 4 rows of A as a 1x1 convolution reads its filter.
 * When the block of B is small (at most 64K floats, which stay in L2), the rows of A go in chunks
 * of 32 with every column of B per chunk instead, so that a tall A (a recurrent layer's input
 * projection, [12800, 64] x [64, 256]) is read from memory once, not once per 8 columns. Either
 * way every element of C sums over k in the same order.
 */
EXPORT("matmul")
void matmul(const float *a, const float *b, float *c, int m, int k, int n) {
  for (int k0 = 0; k0 < k; k0 += 256) {
    const int kc = min_i(256, k - k0);
    const int chunk = kc * n <= 65536 ? 32 : m;
    for (int i0 = 0; i0 < m; i0 += chunk) {
      const int i1 = min_i(m, i0 + chunk);
      int j = 0;
      for (; j + 8 <= n; j += 8) mm_cols(a, b, c, 2, i0, i1, k, n, k0, kc, j);
      for (; j + 4 <= n; j += 4) mm_cols(a, b, c, 1, i0, i1, k, n, k0, kc, j);
      for (; j < n; j++)
        for (int i = i0; i < i1; i++) {
          float sum = k0 == 0 ? 0.0f : c[i * n + j];
          for (int r = k0; r < k0 + kc; r++) sum += a[i * k + r] * b[r * n + j];
          c[i * n + j] = sum;
        }
    }
  }
}

/*
 * P pixels of dy (columns j..j+P-1 of row i) scattered through tap (a, b) into NV*4 channels
 * of dxp from k0: dxp[.., i*sh + a*dh, (j+p)*sw + b*dw, k] += sum over m of dy[.., m] * wt[a,b,m,k].
 */
INLINE void bpi_block(const float *gs, const float *wt, float *xs, int P, int NV, int ow, int co,
                      int pw, int ci, int fw, int sh, int sw, int dh, int dw, int i, int j, int a,
                      int b, int k0) {
  v128_t acc[4][2];
  float *dst[4];
  for (int p = 0; p < P; p++) {
    dst[p] = xs + ((i * sh + a * dh) * pw + (j + p) * sw + b * dw) * ci + k0;
    for (int v = 0; v < NV; v++) acc[p][v] = wasm_v128_load(dst[p] + 4 * v);
  }
  const float *gr = gs + (i * ow + j) * co;
  const float *wr = wt + (a * fw + b) * co * ci + k0;
  for (int m = 0; m < co; m++) {
    outer_accumulate(acc, P, NV, gr + m, co, wr);
    wr += ci;
  }
  for (int p = 0; p < P; p++)
    for (int v = 0; v < NV; v++) wasm_v128_store(dst[p] + 4 * v, acc[p][v]);
}

INLINE void bpi_tap(const float *gs, const float *wt, float *xs, int P, int ow, int co, int pw,
                    int ci, int fw, int sh, int sw, int dh, int dw, int i, int j, int a, int b) {
  int k = 0;
  for (; k + 8 <= ci; k += 8) bpi_block(gs, wt, xs, P, 2, ow, co, pw, ci, fw, sh, sw, dh, dw, i, j, a, b, k);
  for (; k + 4 <= ci; k += 4) bpi_block(gs, wt, xs, P, 1, ow, co, pw, ci, fw, sh, sw, dh, dw, i, j, a, b, k);
  for (; k < ci; k++) {
    for (int p = 0; p < P; p++) {
      float *d = xs + ((i * sh + a * dh) * pw + (j + p) * sw + b * dw) * ci + k;
      const float *gr = gs + (i * ow + j + p) * co;
      const float *wr = wt + (a * fw + b) * co * ci + k;
      float sum = *d;
      for (int m = 0; m < co; m++) sum += gr[m] * wr[m * ci];
      *d = sum;
    }
  }
}

/*
 * Conv2DBackpropInput into a padded, zeroed dxp [n,ph,pw,ci] (crop_nhwc takes dx out of it),
 * so that no tap needs a bounds check. wt is the filter with its channels swapped: [fh,fw,co,ci].
 */
EXPORT("conv2d_backprop_input")
void conv2d_backprop_input(const float *dy, const float *wt, float *dxp, int n, int oh, int ow,
                           int co, int ph, int pw, int ci, int fh, int fw, int sh, int sw, int dh,
                           int dw) {
  zero(dxp, n * ph * pw * ci);
  for (int s = 0; s < n; s++) {
    const float *gs = dy + s * oh * ow * co;
    float *xs = dxp + s * ph * pw * ci;
    for (int i = 0; i < oh; i++) {
      int j = 0;
      for (; j + 4 <= ow; j += 4)
        for (int a = 0; a < fh; a++)
          for (int b = 0; b < fw; b++) bpi_tap(gs, wt, xs, 4, ow, co, pw, ci, fw, sh, sw, dh, dw, i, j, a, b);
      const int rest = ow - j;
      for (int a = 0; a < fh; a++)
        for (int b = 0; b < fw; b++) {
          if (rest == 3) bpi_tap(gs, wt, xs, 3, ow, co, pw, ci, fw, sh, sw, dh, dw, i, j, a, b);
          else if (rest == 2) bpi_tap(gs, wt, xs, 2, ow, co, pw, ci, fw, sh, sw, dh, dw, i, j, a, b);
          else if (rest == 1) bpi_tap(gs, wt, xs, 1, ow, co, pw, ci, fw, sh, sw, dh, dw, i, j, a, b);
        }
    }
  }
}

/* [fh,fw,ci,co] -> [fh,fw,co,ci] */
EXPORT("swap_filter_channels")
void swap_filter_channels(const float *w, float *out, int taps, int ci, int co) {
  for (int t = 0; t < taps; t++)
    for (int k = 0; k < ci; k++)
      for (int m = 0; m < co; m++) out[(t * co + m) * ci + k] = w[(t * ci + k) * co + m];
}

/*
 * FusedBatchNorm with per-channel statistics and parameters (each of c values, the last axis):
 * out = (x - mean) * scale / sqrt(variance + eps) + offset, as out = x * k + d with k and d
 * computed once per channel into coef [2*c] (scratch from the caller).
 */
EXPORT("batch_norm")
void batch_norm(const float *x, float *out, int rows, int c, const float *mean, const float *var,
                const float *offset, const float *scale, int has_offset, int has_scale, float eps,
                float *coef) {
  float *kc = coef, *dc = coef + c;
  for (int i = 0; i < c; i++) {
    const float k = (has_scale ? scale[i] : 1.0f) / __builtin_sqrtf(var[i] + eps);
    kc[i] = k;
    dc[i] = (has_offset ? offset[i] : 0.0f) - mean[i] * k;
  }
  for (int r = 0; r < rows; r++) {
    const float *xr = x + r * c;
    float *o = out + r * c;
    int i = 0;
    for (; i + 4 <= c; i += 4)
      wasm_v128_store(o + i, wasm_f32x4_add(wasm_f32x4_mul(wasm_v128_load(xr + i), wasm_v128_load(kc + i)),
                                            wasm_v128_load(dc + i)));
    for (; i < c; i++) o[i] = xr[i] * kc[i] + dc[i];
  }
}

/*
 * An elementwise op between a [rows, c] tensor and a vector of c broadcast along the rows (a
 * bias, a batch-norm parameter): op 0 add, 1 subtract, 2 multiply; vec_first: the vector is
 * the left operand (for subtraction).
 */
EXPORT("channel_binary")
void channel_binary(const float *full, const float *vec, float *out, int rows, int c, int op,
                    int vec_first) {
  for (int r = 0; r < rows; r++) {
    const float *a = full + r * c;
    float *o = out + r * c;
    int i = 0;
    for (; i + 4 <= c; i += 4) {
      const v128_t x = wasm_v128_load(a + i), v = wasm_v128_load(vec + i);
      v128_t y;
      if (op == 0) y = wasm_f32x4_add(x, v);
      else if (op == 2) y = wasm_f32x4_mul(x, v);
      else y = vec_first ? wasm_f32x4_sub(v, x) : wasm_f32x4_sub(x, v);
      wasm_v128_store(o + i, y);
    }
    for (; i < c; i++) {
      const float x = a[i], v = vec[i];
      o[i] = op == 0 ? x + v : op == 2 ? x * v : vec_first ? v - x : x - v;
    }
  }
}

/*
 * Tile when it is a broadcast: x viewed as [a, 1, b] becomes out [a, r, b], each row of b
 * 32-bit elements copied r times (bits, so float32 and int32 alike).
 */
EXPORT("repeat_rows")
void repeat_rows(const int *x, int *out, int a, int r, int b) {
  for (int i = 0; i < a; i++) {
    const int *src = x + i * b;
    for (int j = 0; j < r; j++) {
      int *dst = out + (i * r + j) * b;
      int k = 0;
      for (; k + 4 <= b; k += 4) wasm_v128_store(dst + k, wasm_v128_load(src + k));
      for (; k < b; k++) dst[k] = src[k];
    }
  }
}

/*
 * Slice of a rank-4 (or lower, padded with leading 1s) tensor of 32-bit elements:
 * out = x[b0:b0+s0, b1:b1+s1, b2:b2+s2, b3:b3+s3], copied by runs along the last axis.
 */
EXPORT("slice4")
void slice4(const int *x, int *out, int d1, int d2, int d3, int b0, int b1, int b2, int b3, int s0,
            int s1, int s2, int s3) {
  for (int i = 0; i < s0; i++)
    for (int j = 0; j < s1; j++)
      for (int k = 0; k < s2; k++) {
        const int *src = x + (((b0 + i) * d1 + b1 + j) * d2 + b2 + k) * d3 + b3;
        int *dst = out + ((i * s1 + j) * s2 + k) * s3;
        int m = 0;
        for (; m + 4 <= s3; m += 4) wasm_v128_store(dst + m, wasm_v128_load(src + m));
        for (; m < s3; m++) dst[m] = src[m];
      }
}

/*
 * AvgPoolGrad with tfjs's forward divisor: each window's gradient is shared among the real input
 * cells it covers (padding and cells past the input not counted), four channels at a time.
 */
EXPORT("avg_pool_grad")
void avg_pool_grad(const float *dy, float *dx, int n, int h, int w, int c, int oh, int ow, int fh,
                   int fw, int sh, int sw, int top, int left) {
  zero(dx, n * h * w * c);
  for (int s = 0; s < n; s++) {
    for (int i = 0; i < oh; i++) {
      const int r0 = i * sh - top;
      const int rlo = max_i(0, r0), rhi = min_i(h, r0 + fh);
      if (rlo >= rhi) continue;
      for (int j = 0; j < ow; j++) {
        const int q0 = j * sw - left;
        const int qlo = max_i(0, q0), qhi = min_i(w, q0 + fw);
        if (qlo >= qhi) continue; /* a window entirely in the padding */
        const float inv = 1.0f / (float)((rhi - rlo) * (qhi - qlo));
        const v128_t vinv = wasm_f32x4_splat(inv);
        const float *g = dy + ((s * oh + i) * ow + j) * c;
        for (int r = rlo; r < rhi; r++) {
          for (int q = qlo; q < qhi; q++) {
            float *d = dx + ((s * h + r) * w + q) * c;
            int k = 0;
            for (; k + 4 <= c; k += 4)
              wasm_v128_store(d + k, wasm_f32x4_add(wasm_v128_load(d + k), wasm_f32x4_mul(wasm_v128_load(g + k), vinv)));
            for (; k < c; k++) d[k] += g[k] * inv;
          }
        }
      }
    }
  }
}

/*
 * Depthwise convolutions, filter [fh,fw,c,m], output channel c*m + k. With m = 1 (the depth
 * multiplier of every depthwise layer the engine builds) channels run 16 at a time (W = 4
 * independent accumulators), then 4, then one; any other m runs one channel at a time.
 */

/* Forward block: W*4 channels from ch of one output pixel whose taps start at x0. */
INLINE void dw_fwd_block(const float *x0, const float *wt, float *o, int W, int c, int ch, int fh,
                         int fw, int dh, int dw, int pw) {
  v128_t acc[4];
  for (int v = 0; v < W; v++) acc[v] = wasm_f32x4_splat(0.0f);
  for (int a = 0; a < fh; a++)
    for (int b = 0; b < fw; b++) {
      const float *xr = x0 + (a * dh * pw + b * dw) * c + ch, *wr = wt + (a * fw + b) * c + ch;
      for (int v = 0; v < W; v++)
        acc[v] = wasm_f32x4_add(acc[v], wasm_f32x4_mul(wasm_v128_load(xr + 4 * v), wasm_v128_load(wr + 4 * v)));
    }
  for (int v = 0; v < W; v++) wasm_v128_store(o + ch + 4 * v, acc[v]);
}

/*
 * Forward, on an input padded beforehand (pad_nhwc):
 * y[n,i,j,ch*m+k] = sum over a,b of xp[n, i*sh + a*dh, j*sw + b*dw, ch] * w[a,b,ch,k].
 */
EXPORT("depthwise_conv2d")
void depthwise_conv2d(const float *xp, const float *wt, float *y, int n, int ph, int pw, int c, int m,
                      int oh, int ow, int fh, int fw, int sh, int sw, int dh, int dw) {
  const int co = c * m;
  for (int s = 0; s < n; s++) {
    const float *xs = xp + s * ph * pw * c;
    for (int i = 0; i < oh; i++) {
      for (int j = 0; j < ow; j++) {
        float *o = y + ((s * oh + i) * ow + j) * co;
        const float *x0 = xs + (i * sh * pw + j * sw) * c;
        int ch = 0;
        if (m == 1) {
          for (; ch + 16 <= c; ch += 16) dw_fwd_block(x0, wt, o, 4, c, ch, fh, fw, dh, dw, pw);
          for (; ch + 4 <= c; ch += 4) dw_fwd_block(x0, wt, o, 1, c, ch, fh, fw, dh, dw, pw);
        }
        for (; ch < c; ch++) /* what the blocks left: every channel when m > 1 */
          for (int k = 0; k < m; k++) {
            float acc = 0.0f;
            for (int a = 0; a < fh; a++)
              for (int b = 0; b < fw; b++)
                acc += x0[(a * dh * pw + b * dw) * c + ch] * wt[((a * fw + b) * c + ch) * m + k];
            o[ch * m + k] = acc;
          }
      }
    }
  }
}

/* dy position of tap a reaching input row r, or -1 when it is off the stride grid or outside dy. */
INLINE int source_row(int r, int a, int top, int d, int s, int limit) {
  const int p = r + top - a * d;
  if (p < 0 || p % s != 0) return -1;
  return p / s < limit ? p / s : -1;
}

/* Input-gradient block: W*4 channels from ch of input pixel (r, q), gathered over the taps. */
INLINE void dw_bpi_block(const float *gs, const float *wt, float *o, int W, int c, int ch, int r,
                         int q, int oh, int ow, int fh, int fw, int sh, int sw, int dh, int dw,
                         int top, int left) {
  v128_t acc[4];
  for (int v = 0; v < W; v++) acc[v] = wasm_f32x4_splat(0.0f);
  for (int a = 0; a < fh; a++) {
    const int i = source_row(r, a, top, dh, sh, oh);
    if (i < 0) continue;
    for (int b = 0; b < fw; b++) {
      const int j = source_row(q, b, left, dw, sw, ow);
      if (j < 0) continue;
      const float *gr = gs + (i * ow + j) * c + ch, *wr = wt + (a * fw + b) * c + ch;
      for (int v = 0; v < W; v++)
        acc[v] = wasm_f32x4_add(acc[v], wasm_f32x4_mul(wasm_v128_load(gr + 4 * v), wasm_v128_load(wr + 4 * v)));
    }
  }
  for (int v = 0; v < W; v++) wasm_v128_store(o + ch + 4 * v, acc[v]);
}

/*
 * Input gradient, gathered: dx[n,r,q,ch] = sum over the taps (a,b) and k that reach (r,q) from a
 * dy position (i,j) = ((r + top - a*dh) / sh, (q + left - b*dw) / sw) of dy[n,i,j,ch*m+k] *
 * w[a,b,ch,k]. Any stride, dilation and padding, with no padded buffers.
 */
EXPORT("depthwise_backprop_input")
void depthwise_backprop_input(const float *dy, const float *wt, float *dx, int n, int h, int w, int c,
                              int m, int oh, int ow, int fh, int fw, int sh, int sw, int dh, int dw,
                              int top, int left) {
  const int co = c * m;
  for (int s = 0; s < n; s++) {
    const float *gs = dy + s * oh * ow * co;
    for (int r = 0; r < h; r++) {
      for (int q = 0; q < w; q++) {
        float *o = dx + ((s * h + r) * w + q) * c;
        int ch = 0;
        if (m == 1) {
          for (; ch + 16 <= c; ch += 16) dw_bpi_block(gs, wt, o, 4, c, ch, r, q, oh, ow, fh, fw, sh, sw, dh, dw, top, left);
          for (; ch + 4 <= c; ch += 4) dw_bpi_block(gs, wt, o, 1, c, ch, r, q, oh, ow, fh, fw, sh, sw, dh, dw, top, left);
        }
        for (; ch < c; ch++) { /* what the blocks left: every channel when m > 1 */
          float acc = 0.0f;
          for (int a = 0; a < fh; a++) {
            const int i = source_row(r, a, top, dh, sh, oh);
            if (i < 0) continue;
            for (int b = 0; b < fw; b++) {
              const int j = source_row(q, b, left, dw, sw, ow);
              if (j < 0) continue;
              for (int k = 0; k < m; k++) acc += gs[(i * ow + j) * co + ch * m + k] * wt[((a * fw + b) * c + ch) * m + k];
            }
          }
          o[ch] = acc;
        }
      }
    }
  }
}

/* Filter-gradient block (m = 1): W*4 channels from ch of tap (ra, qb) = (a*dh, b*dw), over one sample. */
INLINE void dw_bpf_block(const float *xs, const float *gs, float *o, int W, int c, int ch, int oh,
                         int ow, int pw, int sh, int sw, int ra, int qb) {
  v128_t acc[2];
  for (int v = 0; v < W; v++) acc[v] = wasm_v128_load(o + ch + 4 * v);
  for (int i = 0; i < oh; i++) {
    const float *xr = xs + ((i * sh + ra) * pw + qb) * c + ch;
    const float *gr = gs + i * ow * c + ch;
    for (int j = 0; j < ow; j++) {
      for (int v = 0; v < W; v++)
        acc[v] = wasm_f32x4_add(acc[v], wasm_f32x4_mul(wasm_v128_load(xr + 4 * v), wasm_v128_load(gr + 4 * v)));
      xr += sw * c;
      gr += c;
    }
  }
  for (int v = 0; v < W; v++) wasm_v128_store(o + ch + 4 * v, acc[v]);
}

/*
 * Filter gradient on a padded x (pad_nhwc): dW[a,b,ch,k] = sum over n,i,j of
 * xp[n, i*sh + a*dh, j*sw + b*dw, ch] * dy[n,i,j,ch*m+k]; sample by sample, so that one
 * sample's x and dy stay in cache while every tap passes over them.
 */
EXPORT("depthwise_backprop_filter")
void depthwise_backprop_filter(const float *xp, const float *dy, float *out, int n, int ph, int pw,
                               int c, int m, int oh, int ow, int fh, int fw, int sh, int sw, int dh,
                               int dw) {
  const int co = c * m;
  zero(out, fh * fw * co);
  for (int s = 0; s < n; s++) {
    const float *xs = xp + s * ph * pw * c;
    const float *gs = dy + s * oh * ow * co;
    for (int a = 0; a < fh; a++)
      for (int b = 0; b < fw; b++) {
        float *o = out + (a * fw + b) * co;
        int ch = 0;
        if (m == 1) {
          for (; ch + 8 <= c; ch += 8) dw_bpf_block(xs, gs, o, 2, c, ch, oh, ow, pw, sh, sw, a * dh, b * dw);
          for (; ch + 4 <= c; ch += 4) dw_bpf_block(xs, gs, o, 1, c, ch, oh, ow, pw, sh, sw, a * dh, b * dw);
        }
        for (; ch < c; ch++) /* what the blocks left: every channel when m > 1 */
          for (int k = 0; k < m; k++) {
            float acc = o[ch * m + k];
            for (int i = 0; i < oh; i++)
              for (int j = 0; j < ow; j++)
                acc += xs[((i * sh + a * dh) * pw + j * sw + b * dw) * c + ch] * gs[(i * ow + j) * co + ch * m + k];
            o[ch * m + k] = acc;
          }
      }
  }
}

/*
 * The last two axes of [batch, rows, cols] (32-bit elements) swapped, in 32x32 tiles so that both
 * the reads and the writes stay within a few cache lines per tile.
 */
EXPORT("transpose_last2")
void transpose_last2(const int *x, int *out, int batch, int rows, int cols) {
  for (int s = 0; s < batch; s++) {
    const int *src = x + s * rows * cols;
    int *dst = out + s * rows * cols;
    for (int r0 = 0; r0 < rows; r0 += 32)
      for (int c0 = 0; c0 < cols; c0 += 32) {
        const int r1 = min_i(rows, r0 + 32), c1 = min_i(cols, c0 + 32);
        for (int r = r0; r < r1; r++)
          for (int c = c0; c < c1; c++) dst[c * rows + r] = src[r * cols + c];
      }
  }
}

/*
 * One Adam step for one variable in a single pass (tfjs's AdamOptimizer takes 14 full passes):
 * m' = b1 m + (1 - b1) g, v' = b2 v + (1 - b2) g^2,
 * w' = w - lr (m' / c1) / (sqrt(v' / c2) + eps), with c1 = 1 - b1^t and c2 = 1 - b2^t,
 * in tfjs's order of operations. m_out and v_out may be m and v (adam-update.ts writes the moments
 * in place): every element is read before it is written.
 */
EXPORT("adam_update")
void adam_update(const float *w, const float *g, const float *m, const float *v, float *w_out,
                 float *m_out, float *v_out, int n, float b1, float b2, float c1, float c2, float lr,
                 float eps) {
  const v128_t vb1 = wasm_f32x4_splat(b1), vb1c = wasm_f32x4_splat(1.0f - b1);
  const v128_t vb2 = wasm_f32x4_splat(b2), vb2c = wasm_f32x4_splat(1.0f - b2);
  const v128_t vc1 = wasm_f32x4_splat(c1), vc2 = wasm_f32x4_splat(c2);
  const v128_t vlr = wasm_f32x4_splat(-lr), veps = wasm_f32x4_splat(eps);
  int i = 0;
  for (; i + 4 <= n; i += 4) {
    const v128_t gi = wasm_v128_load(g + i);
    const v128_t mi = wasm_f32x4_add(wasm_f32x4_mul(wasm_v128_load(m + i), vb1), wasm_f32x4_mul(gi, vb1c));
    const v128_t vi = wasm_f32x4_add(wasm_f32x4_mul(wasm_v128_load(v + i), vb2), wasm_f32x4_mul(wasm_f32x4_mul(gi, gi), vb2c));
    const v128_t step = wasm_f32x4_div(wasm_f32x4_div(mi, vc1), wasm_f32x4_add(wasm_f32x4_sqrt(wasm_f32x4_div(vi, vc2)), veps));
    wasm_v128_store(m_out + i, mi);
    wasm_v128_store(v_out + i, vi);
    wasm_v128_store(w_out + i, wasm_f32x4_add(wasm_f32x4_mul(step, vlr), wasm_v128_load(w + i)));
  }
  for (; i < n; i++) {
    const float mi = m[i] * b1 + g[i] * (1.0f - b1);
    const float vi = v[i] * b2 + (g[i] * g[i]) * (1.0f - b2);
    m_out[i] = mi;
    v_out[i] = vi;
    w_out[i] = (mi / c1) / (__builtin_sqrtf(vi / c2) + eps) * -lr + w[i];
  }
}

/*
 * out[c] = sum over r of x[r, c] for x [rows, cols] (Sum and Mean over leading axes: bias and
 * batch-norm gradients, batch-norm moments), times scale. Columns go 16 at a time, in registers,
 * with even and odd rows in separate accumulators; NaN and Inf propagate as in a plain sum.
 */
EXPORT("sum_rows")
void sum_rows(const float *x, float *out, int rows, int cols, float scale) {
  int c = 0;
  for (; c + 16 <= cols; c += 16) {
    v128_t a[2][4];
    for (int p = 0; p < 2; p++)
      for (int v = 0; v < 4; v++) a[p][v] = wasm_f32x4_splat(0.0f);
    int r = 0;
    for (; r + 2 <= rows; r += 2)
      for (int p = 0; p < 2; p++)
        for (int v = 0; v < 4; v++) a[p][v] = wasm_f32x4_add(a[p][v], wasm_v128_load(x + (r + p) * cols + c + 4 * v));
    if (r < rows)
      for (int v = 0; v < 4; v++) a[0][v] = wasm_f32x4_add(a[0][v], wasm_v128_load(x + r * cols + c + 4 * v));
    for (int v = 0; v < 4; v++)
      wasm_v128_store(out + c + 4 * v, wasm_f32x4_mul(wasm_f32x4_add(a[0][v], a[1][v]), wasm_f32x4_splat(scale)));
  }
  for (; c + 4 <= cols; c += 4) {
    v128_t a = wasm_f32x4_splat(0.0f);
    for (int r = 0; r < rows; r++) a = wasm_f32x4_add(a, wasm_v128_load(x + r * cols + c));
    wasm_v128_store(out + c, wasm_f32x4_mul(a, wasm_f32x4_splat(scale)));
  }
  for (; c < cols; c++) {
    float a = 0.0f;
    for (int r = 0; r < rows; r++) a += x[r * cols + c];
    out[c] = a * scale;
  }
}

/*
 * The gradient of relu, dy * step(x), in one pass instead of tfjs's Step and Multiply (two full
 * passes and a mask tensor). Same values as theirs: step is 1 where x > 0, NaN where x is NaN,
 * else 0, and the product keeps dy's Inf and NaN.
 */
EXPORT("relu_grad")
void relu_grad(const float *dy, const float *x, float *dx, int n) {
  const v128_t one = wasm_f32x4_splat(1.0f), zero4 = wasm_f32x4_splat(0.0f);
  int i = 0;
  for (; i + 4 <= n; i += 4) {
    const v128_t xv = wasm_v128_load(x + i);
    v128_t step = wasm_v128_and(one, wasm_f32x4_gt(xv, zero4));
    step = wasm_v128_bitselect(xv, step, wasm_f32x4_ne(xv, xv));
    wasm_v128_store(dx + i, wasm_f32x4_mul(wasm_v128_load(dy + i), step));
  }
  for (; i < n; i++) dx[i] = dy[i] * (x[i] > 0.0f ? 1.0f : (x[i] != x[i] ? x[i] : 0.0f));
}

/*
 * MaxPoolGrad, 2x2 windows with stride 2 and no padding: each input cell is in at most one
 * window, so the gradient is written, not accumulated, and every cell of a window is written
 * (its gradient or zero): only the odd last row or column that no window covers is zeroed, not
 * the whole of dx first (one pass over dx fewer).
 * Per window the comparisons run four channels at a time and keep the cpu backend's rule: the
 * first (row-major) maximum takes the gradient, a later element only when strictly greater.
 */
EXPORT("max_pool_grad_2x2")
void max_pool_grad_2x2(const float *x, const float *dy, float *dx, int n, int h, int w, int c,
                       int oh, int ow) {
  const int row = w * c;
  for (int s = 0; s < n; s++) {
    float *ds = dx + s * h * row;
    for (int i = 2 * oh; i < h; i++) zero(ds + i * row, row);
    if (2 * ow < w)
      for (int i = 0; i < 2 * oh; i++) zero(ds + i * row + 2 * ow * c, (w - 2 * ow) * c);
  }
  for (int s = 0; s < n; s++) {
    for (int i = 0; i < oh; i++) {
      for (int j = 0; j < ow; j++) {
        const int p00 = ((s * h + 2 * i) * w + 2 * j) * c;
        const int p01 = p00 + c, p10 = p00 + row, p11 = p10 + c;
        const float *g = dy + ((s * oh + i) * ow + j) * c;
        int k = 0;
        for (; k + 4 <= c; k += 4) {
          v128_t m = wasm_v128_load(x + p00 + k);
          v128_t v1 = wasm_v128_load(x + p01 + k);
          v128_t v2 = wasm_v128_load(x + p10 + k);
          v128_t v3 = wasm_v128_load(x + p11 + k);
          v128_t t1 = wasm_f32x4_gt(v1, m);
          m = wasm_v128_bitselect(v1, m, t1);
          v128_t t2 = wasm_f32x4_gt(v2, m);
          m = wasm_v128_bitselect(v2, m, t2);
          v128_t t3 = wasm_f32x4_gt(v3, m);
          /* winner masks: each later winner clears the earlier ones */
          v128_t w3 = t3;
          v128_t w2 = wasm_v128_andnot(t2, t3);
          v128_t w1 = wasm_v128_andnot(wasm_v128_andnot(t1, t2), t3);
          v128_t w0 = wasm_v128_not(wasm_v128_or(wasm_v128_or(t1, t2), t3));
          v128_t gv = wasm_v128_load(g + k);
          wasm_v128_store(dx + p00 + k, wasm_v128_and(gv, w0));
          wasm_v128_store(dx + p01 + k, wasm_v128_and(gv, w1));
          wasm_v128_store(dx + p10 + k, wasm_v128_and(gv, w2));
          wasm_v128_store(dx + p11 + k, wasm_v128_and(gv, w3));
        }
        for (; k < c; k++) {
          float m = x[p00 + k];
          int at = p00 + k;
          if (x[p01 + k] > m) { m = x[p01 + k]; at = p01 + k; }
          if (x[p10 + k] > m) { m = x[p10 + k]; at = p10 + k; }
          if (x[p11 + k] > m) at = p11 + k;
          dx[p00 + k] = dx[p01 + k] = dx[p10 + k] = dx[p11 + k] = 0.0f;
          dx[at] = g[k];
        }
      }
    }
  }
}

/*
 * MaxPoolGrad, any window, stride and padding: windows may overlap, so gradients accumulate
 * at each window's first maximum; windows entirely in the padding pass nothing on.
 */
EXPORT("max_pool_grad")
void max_pool_grad(const float *x, const float *dy, float *dx, int n, int h, int w, int c, int oh,
                   int ow, int fh, int fw, int sh, int sw, int top, int left) {
  zero(dx, n * h * w * c);
  for (int s = 0; s < n; s++) {
    for (int i = 0; i < oh; i++) {
      const int r0 = i * sh - top;
      const int rlo = max_i(0, r0), rhi = min_i(h, r0 + fh);
      for (int j = 0; j < ow; j++) {
        const int q0 = j * sw - left;
        const int qlo = max_i(0, q0), qhi = min_i(w, q0 + fw);
        if (rlo >= rhi || qlo >= qhi) continue;
        const float *g = dy + ((s * oh + i) * ow + j) * c;
        for (int k = 0; k < c; k++) {
          int at = ((s * h + rlo) * w + qlo) * c + k;
          float m = x[at];
          for (int r = rlo; r < rhi; r++) {
            for (int q = r == rlo ? qlo + 1 : qlo; q < qhi; q++) {
              const int p = ((s * h + r) * w + q) * c + k;
              if (x[p] > m) { m = x[p]; at = p; }
            }
          }
          dx[at] += g[k];
        }
      }
    }
  }
}

/*
 * ---- Recurrent layers: the whole sequence's recurrence per call (recurrent.ts) ----
 *
 * Layouts. In and out, batch-major as the layer's tensors: the input projection xp = x W + b
 * [batch, steps, G*units] (G = 4 gates for LSTM, 3 for GRU, in tfjs-layers' order) and its
 * gradient dxp, the output y (every state [batch, steps, units], or the last one taken
 * [batch, units]) and its gradient dy. The recurrent kernel u is [units, G*units]. The states h
 * and cells c and the gates' values that the backward pass reads are time-major, [steps, batch,
 * ...], so that one step's rows are contiguous for the per-step products: batch-major, they lie
 * steps*width floats apart, for 200 steps a multiple of 4 KiB, every row in the same L1 set.
 * Batch-major rows are only ever copied in or out, once per step.
 * With `reverse` the steps are taken from the last to the first (a bidirectional layer's backward
 * direction); states stay at their own step's place, as Keras returns them after re-reversing.
 * `sig` picks the recurrent activation: 1 sigmoid, 0 tfjs' default hard sigmoid
 * (clip(0.2 x + 0.5, 0, 1)).
 */

/*
 * C[i, j] += sum over r < k of A(i, r) * B[r, j] for P rows from i and NV*4 columns from j, where
 * A(i, r) = a[i*ars + r*acs] (A may be a transposed view) and B, C are row-major with row strides
 * ldb and ldc. The sum is formed in registers and then added to C, so C = xp + h U keeps tfjs'
 * order of the two terms.
 */
INLINE void gemm_block(const float *a, int ars, int acs, const float *b, int ldb, float *c, int ldc,
                       int P, int NV, int k, int i, int j) {
  v128_t acc[4][2];
  for (int p = 0; p < P; p++)
    for (int v = 0; v < NV; v++) acc[p][v] = wasm_f32x4_splat(0.0f);
  const float *ar = a + i * ars;
  const float *br = b + j;
  for (int r = 0; r < k; r++) {
    outer_accumulate(acc, P, NV, ar + r * acs, ars, br);
    br += ldb;
  }
  for (int p = 0; p < P; p++)
    for (int v = 0; v < NV; v++) {
      float *o = c + (i + p) * ldc + j + 4 * v;
      wasm_v128_store(o, wasm_f32x4_add(wasm_v128_load(o), acc[p][v]));
    }
}

INLINE void gemm_cols(const float *a, int ars, int acs, const float *b, int ldb, float *c, int ldc,
                      int NV, int m, int k, int j) {
  int i = 0;
  for (; i + 4 <= m; i += 4) gemm_block(a, ars, acs, b, ldb, c, ldc, 4, NV, k, i, j);
  switch (m - i) {
    case 3: gemm_block(a, ars, acs, b, ldb, c, ldc, 3, NV, k, i, j); break;
    case 2: gemm_block(a, ars, acs, b, ldb, c, ldc, 2, NV, k, i, j); break;
    case 1: gemm_block(a, ars, acs, b, ldb, c, ldc, 1, NV, k, i, j); break;
  }
}

static void gemm_acc(const float *a, int ars, int acs, const float *b, int ldb, float *c, int ldc,
                     int m, int k, int n) {
  int j = 0;
  for (; j + 8 <= n; j += 8) gemm_cols(a, ars, acs, b, ldb, c, ldc, 2, m, k, j);
  for (; j + 4 <= n; j += 4) gemm_cols(a, ars, acs, b, ldb, c, ldc, 1, m, k, j);
  for (; j < n; j++)
    for (int i = 0; i < m; i++) {
      float sum = 0.0f;
      for (int r = 0; r < k; r++) sum += a[i * ars + r * acs] * b[r * ldb + j];
      c[i * ldc + j] += sum;
    }
}

INLINE v128_t splat(float f) { return wasm_f32x4_splat(f); }
INLINE v128_t vadd(v128_t a, v128_t b) { return wasm_f32x4_add(a, b); }
INLINE v128_t vsub(v128_t a, v128_t b) { return wasm_f32x4_sub(a, b); }
INLINE v128_t vmul(v128_t a, v128_t b) { return wasm_f32x4_mul(a, b); }

/* e^x (Cephes' expf: 2^n times a degree-6 polynomial on [-ln2/2, ln2/2]; x clamped to [-87, 88]). */
INLINE v128_t exp4(v128_t x) {
  x = wasm_f32x4_min(wasm_f32x4_max(x, splat(-87.0f)), splat(88.0f));
  const v128_t n = wasm_f32x4_floor(vadd(vmul(x, splat(1.44269504088896341f)), splat(0.5f)));
  v128_t r = vsub(x, vmul(n, splat(0.693359375f)));
  r = vadd(r, vmul(n, splat(2.12194440e-4f)));
  v128_t p = splat(1.9875691500e-4f);
  p = vadd(vmul(p, r), splat(1.3981999507e-3f));
  p = vadd(vmul(p, r), splat(8.3334519073e-3f));
  p = vadd(vmul(p, r), splat(4.1665795894e-2f));
  p = vadd(vmul(p, r), splat(1.6666665459e-1f));
  p = vadd(vmul(p, r), splat(5.0000001201e-1f));
  const v128_t y = vadd(vadd(vmul(vmul(p, r), r), r), splat(1.0f));
  const v128_t scale = wasm_i32x4_shl(wasm_i32x4_add(wasm_i32x4_trunc_sat_f32x4(n), wasm_i32x4_splat(127)), 23);
  return vmul(y, scale);
}

INLINE v128_t sigmoid4(v128_t x) {
  return wasm_f32x4_div(splat(1.0f), vadd(splat(1.0f), exp4(wasm_f32x4_neg(x))));
}

/* tanh: Cephes' tanhf polynomial below |x| 0.625 (no cancellation near 0), else 1 - 2/(e^2|x| + 1). */
INLINE v128_t tanh4(v128_t x) {
  const v128_t ax = wasm_f32x4_abs(x);
  const v128_t big = vsub(splat(1.0f), wasm_f32x4_div(splat(2.0f), vadd(exp4(vadd(ax, ax)), splat(1.0f))));
  const v128_t z = vmul(x, x);
  v128_t p = splat(-5.70498872745e-3f);
  p = vadd(vmul(p, z), splat(2.06390887954e-2f));
  p = vadd(vmul(p, z), splat(-5.37397155531e-2f));
  p = vadd(vmul(p, z), splat(1.33314422036e-1f));
  p = vadd(vmul(p, z), splat(-3.33332819422e-1f));
  const v128_t small = vadd(vmul(vmul(p, z), x), x);
  const v128_t signed_big = wasm_v128_bitselect(x, big, wasm_i32x4_splat((int)0x80000000));
  return wasm_v128_bitselect(small, signed_big, wasm_f32x4_lt(ax, splat(0.625f)));
}

/* The recurrent activation: sigmoid, or tfjs' hard sigmoid in its order (0.2 x, then + 0.5, clipped). */
INLINE v128_t ract(v128_t x, int sig) {
  if (sig) return sigmoid4(x);
  return wasm_f32x4_min(wasm_f32x4_max(vadd(vmul(splat(0.2f), x), splat(0.5f)), splat(0.0f)), splat(1.0f));
}

/* Its derivative from its value a: a (1 - a), or 0.2 inside the clip (0 < a < 1). */
INLINE v128_t ract_grad(v128_t a, int sig) {
  if (sig) return vmul(a, vsub(splat(1.0f), a));
  const v128_t inside = wasm_v128_and(wasm_f32x4_gt(a, splat(0.0f)), wasm_f32x4_lt(a, splat(1.0f)));
  return wasm_v128_and(splat(0.2f), inside);
}

/* Element loads and stores four at a time, or one (ONE = 1, a row's tail) in lane 0. */
INLINE v128_t ld(const float *p, int one) { return one ? wasm_v128_load32_zero(p) : wasm_v128_load(p); }
INLINE void st(float *p, v128_t v, int one) {
  if (one) wasm_v128_store32_lane(p, v, 0);
  else wasm_v128_store(p, v);
}

/* The step taken s-th (0-based) of `steps`, and the step before it in that order. */
INLINE int step_at(int s, int steps, int reverse) { return reverse ? steps - 1 - s : s; }

INLINE void copy_row(const float *src, float *dst, int n) {
  int j = 0;
  for (; j + 4 <= n; j += 4) wasm_v128_store(dst + j, wasm_v128_load(src + j));
  for (; j < n; j++) dst[j] = src[j];
}

/* dst rows (batch of them, dst_stride apart) = src rows (src_stride apart), width floats each. */
static void copy_rows(const float *src, int src_stride, float *dst, int dst_stride, int batch, int width) {
  for (int b = 0; b < batch; b++) copy_row(src + b * src_stride, dst + b * dst_stride, width);
}

/* ut = u^T for u [rows, cols]. */
static void transpose_f32(const float *u, float *ut, int rows, int cols) {
  for (int r = 0; r < rows; r++)
    for (int c = 0; c < cols; c++) ut[c * rows + r] = u[r * cols + c];
}

/* Writes step t's states h_t (time-major, [batch, units] at ht) into y: all steps, or the last taken. */
static void emit_states(const float *ht, float *y, int batch, int steps, int units, int t, int s, int seq) {
  if (seq) copy_rows(ht, units, y + t * units, steps * units, batch, units);
  else if (s == steps - 1) copy_rows(ht, units, y, units, batch, units);
}

/* The gradient of y at step t, row b (NULL where none reaches it: y was the last state only). */
INLINE const float *dy_row(const float *dy, int b, int steps, int units, int t, int s, int seq) {
  if (seq) return dy + (b * steps + t) * units;
  return s == steps - 1 ? dy + b * units : 0;
}

INLINE void lstm_cell(float *g, const float *cp, float *cc, float *hh, int units, int j, int first,
                      int sig, int one) {
  const v128_t i = ract(ld(g + j, one), sig);
  const v128_t f = ract(ld(g + units + j, one), sig);
  const v128_t gg = tanh4(ld(g + 2 * units + j, one));
  const v128_t o = ract(ld(g + 3 * units + j, one), sig);
  const v128_t cprev = first ? splat(0.0f) : ld(cp + j, one);
  const v128_t c = vadd(vmul(f, cprev), vmul(i, gg));
  st(g + j, i, one);
  st(g + units + j, f, one);
  st(g + 2 * units + j, gg, one);
  st(g + 3 * units + j, o, one);
  st(cc + j, c, one);
  st(hh + j, vmul(o, tanh4(c)), one);
}

/*
 * LSTM forward, tfjs-layers' LSTMCell for every step: z = xp_t + h_{t-1} u; i, f, o = ract(z_i, z_f,
 * z_o), g = tanh(z_c); c_t = f c_{t-1} + i g; h_t = o tanh(c_t); h and c start at zero. Writes y,
 * and h, c and the gates' values (i, f, g, o) that the backward pass needs.
 */
EXPORT("lstm_forward")
void lstm_forward(const float *xp, const float *u, float *y, float *h, float *c, float *gates,
                  int batch, int steps, int units, int reverse, int sig, int seq) {
  const int G = 4 * units;
  for (int s = 0; s < steps; s++) {
    const int t = step_at(s, steps, reverse), tp = step_at(s - 1, steps, reverse);
    float *gt = gates + t * batch * G;
    copy_rows(xp + t * G, steps * G, gt, G, batch, G);
    if (s > 0) gemm_acc(h + tp * batch * units, units, 1, u, G, gt, G, batch, units, G);
    for (int b = 0; b < batch; b++) {
      float *g = gt + b * G;
      const float *cp = c + (tp * batch + b) * units;
      float *cc = c + (t * batch + b) * units;
      float *hh = h + (t * batch + b) * units;
      int j = 0;
      for (; j + 4 <= units; j += 4) lstm_cell(g, cp, cc, hh, units, j, s == 0, sig, 0);
      for (; j < units; j++) lstm_cell(g, cp, cc, hh, units, j, s == 0, sig, 1);
    }
    emit_states(h + t * batch * units, y, batch, steps, units, t, s, seq);
  }
}

/*
 * One step of LSTM backpropagation for one row at columns j: dh = dy_t + dh_next, and the running
 * dc (dcn) becomes the cell gradient handed to the step before; writes dz (the gradient of xp_t).
 */
INLINE void lstm_cell_grad(const float *g, const float *cc, const float *cp, const float *dyr,
                           float *dhn, float *dcn, float *dz, int units, int j, int first, int sig,
                           int one) {
  const v128_t i = ld(g + j, one), f = ld(g + units + j, one);
  const v128_t gg = ld(g + 2 * units + j, one), o = ld(g + 3 * units + j, one);
  const v128_t cprev = first ? splat(0.0f) : ld(cp + j, one);
  v128_t dh = ld(dhn + j, one);
  if (dyr) dh = vadd(dh, ld(dyr + j, one));
  const v128_t tc = tanh4(ld(cc + j, one));
  const v128_t dc = vadd(ld(dcn + j, one), vmul(vmul(dh, o), vsub(splat(1.0f), vmul(tc, tc))));
  st(dcn + j, vmul(dc, f), one);
  st(dz + j, vmul(vmul(dc, gg), ract_grad(i, sig)), one);
  st(dz + units + j, vmul(vmul(dc, cprev), ract_grad(f, sig)), one);
  st(dz + 2 * units + j, vmul(vmul(dc, i), vsub(splat(1.0f), vmul(gg, gg))), one);
  st(dz + 3 * units + j, vmul(vmul(dh, tc), ract_grad(o, sig)), one);
}

/*
 * LSTM backpropagation through time from lstm_forward's h, c and gates, given dy (seq as the
 * forward's). Writes dxp and du ([units, 4 units]). scratch holds 4*units*units + 2*batch*units +
 * 4*batch*units floats (u^T, the running dh and dc, and one step's dz, contiguous for the products).
 */
EXPORT("lstm_backward")
void lstm_backward(const float *dy, const float *u, const float *h, const float *c,
                   const float *gates, float *dxp, float *du, float *scratch, int batch, int steps,
                   int units, int reverse, int sig, int seq) {
  const int G = 4 * units;
  float *ut = scratch, *dhn = scratch + G * units, *dcn = dhn + batch * units, *dz = dcn + batch * units;
  transpose_f32(u, ut, units, G);
  zero(dhn, 2 * batch * units);
  zero(du, units * G);
  for (int s = steps - 1; s >= 0; s--) {
    const int t = step_at(s, steps, reverse), tp = step_at(s - 1, steps, reverse);
    for (int b = 0; b < batch; b++) {
      const float *g = gates + (t * batch + b) * G;
      const float *cc = c + (t * batch + b) * units;
      const float *cp = c + (tp * batch + b) * units;
      const float *dyr = dy_row(dy, b, steps, units, t, s, seq);
      float *dhr = dhn + b * units, *dcr = dcn + b * units, *dzr = dz + b * G;
      int j = 0;
      for (; j + 4 <= units; j += 4) lstm_cell_grad(g, cc, cp, dyr, dhr, dcr, dzr, units, j, s == 0, sig, 0);
      for (; j < units; j++) lstm_cell_grad(g, cc, cp, dyr, dhr, dcr, dzr, units, j, s == 0, sig, 1);
    }
    copy_rows(dz, G, dxp + t * G, steps * G, batch, G);
    if (s == 0) break;
    zero(dhn, batch * units);
    gemm_acc(dz, G, 1, ut, units, dhn, units, batch, G, units);
    gemm_acc(h + tp * batch * units, 1, units, dz, G, du, G, units, batch, G);
  }
}

INLINE void gru_gates(float *g, const float *hp, float *rh, int units, int j, int first, int sig,
                      int one) {
  const v128_t z = ract(ld(g + j, one), sig);
  const v128_t r = ract(ld(g + units + j, one), sig);
  st(g + j, z, one);
  st(g + units + j, r, one);
  st(rh + j, first ? splat(0.0f) : vmul(r, ld(hp + j, one)), one);
}

INLINE void gru_state(float *g, const float *hp, float *hh, int units, int j, int first, int one) {
  const v128_t z = ld(g + j, one);
  const v128_t cand = tanh4(ld(g + 2 * units + j, one));
  const v128_t hprev = first ? splat(0.0f) : ld(hp + j, one);
  st(g + 2 * units + j, cand, one);
  st(hh + j, vadd(vmul(z, hprev), vmul(vsub(splat(1.0f), z), cand)), one);
}

/*
 * GRU forward, tfjs-layers' GRUCell (reset applied before the recurrent product, Keras'
 * reset_after = false, the only form tfjs has): z, r = ract(xp_z,r + h_{t-1} u_z,r);
 * hh = tanh(xp_h + (r h_{t-1}) u_h); h_t = z h_{t-1} + (1 - z) hh. Writes y, and h and the gates'
 * values (z, r, hh). scratch holds batch*units floats (r h_{t-1}).
 */
EXPORT("gru_forward")
void gru_forward(const float *xp, const float *u, float *y, float *h, float *gates, float *scratch,
                 int batch, int steps, int units, int reverse, int sig, int seq) {
  const int G = 3 * units;
  float *rh = scratch;
  for (int s = 0; s < steps; s++) {
    const int t = step_at(s, steps, reverse), tp = step_at(s - 1, steps, reverse);
    float *gt = gates + t * batch * G;
    copy_rows(xp + t * G, steps * G, gt, G, batch, G);
    if (s > 0) gemm_acc(h + tp * batch * units, units, 1, u, G, gt, G, batch, units, 2 * units);
    for (int b = 0; b < batch; b++) {
      const float *hp = h + (tp * batch + b) * units;
      int j = 0;
      for (; j + 4 <= units; j += 4) gru_gates(gt + b * G, hp, rh + b * units, units, j, s == 0, sig, 0);
      for (; j < units; j++) gru_gates(gt + b * G, hp, rh + b * units, units, j, s == 0, sig, 1);
    }
    if (s > 0) gemm_acc(rh, units, 1, u + 2 * units, G, gt + 2 * units, G, batch, units, units);
    for (int b = 0; b < batch; b++) {
      const float *hp = h + (tp * batch + b) * units;
      float *hh = h + (t * batch + b) * units;
      int j = 0;
      for (; j + 4 <= units; j += 4) gru_state(gt + b * G, hp, hh, units, j, s == 0, 0);
      for (; j < units; j++) gru_state(gt + b * G, hp, hh, units, j, s == 0, 1);
    }
    emit_states(h + t * batch * units, y, batch, steps, units, t, s, seq);
  }
}

/* First part of a GRU step's backpropagation: the candidate's and z's pre-activation gradients. */
INLINE void gru_grad_a(const float *g, const float *hp, const float *dyr, float *dhn, float *rh,
                       float *dz, int units, int j, int first, int sig, int one) {
  const v128_t z = ld(g + j, one), r = ld(g + units + j, one), cand = ld(g + 2 * units + j, one);
  const v128_t hprev = first ? splat(0.0f) : ld(hp + j, one);
  v128_t dh = ld(dhn + j, one);
  if (dyr) dh = vadd(dh, ld(dyr + j, one));
  st(dz + j, vmul(vmul(dh, vsub(hprev, cand)), ract_grad(z, sig)), one);
  st(dz + units + j, splat(0.0f), one);
  st(dz + 2 * units + j, vmul(vmul(dh, vsub(splat(1.0f), z)), vsub(splat(1.0f), vmul(cand, cand))), one);
  st(dhn + j, vmul(dh, z), one);
  st(rh + j, vmul(r, hprev), one);
}

/* Second part, given d(r h_{t-1}) (drh): r's pre-activation gradient and drh's share of dh_{t-1}. */
INLINE void gru_grad_b(const float *g, const float *hp, const float *drh, float *dhn, float *dz,
                       int units, int j, int sig, int one) {
  const v128_t r = ld(g + units + j, one), d = ld(drh + j, one);
  st(dz + units + j, vmul(vmul(d, ld(hp + j, one)), ract_grad(r, sig)), one);
  st(dhn + j, vadd(ld(dhn + j, one), vmul(d, r)), one);
}

/*
 * GRU backpropagation through time from gru_forward's h and gates, given dy (seq as the forward's).
 * Writes dxp and du ([units, 3 units]). scratch holds 3*units*units + 3*batch*units +
 * 3*batch*units floats (u^T, the running dh, d(r h) and r h, and one step's dz).
 */
EXPORT("gru_backward")
void gru_backward(const float *dy, const float *u, const float *h, const float *gates, float *dxp,
                  float *du, float *scratch, int batch, int steps, int units, int reverse, int sig,
                  int seq) {
  const int G = 3 * units;
  float *ut = scratch, *dhn = scratch + G * units, *drh = dhn + batch * units, *rh = drh + batch * units;
  float *dz = rh + batch * units;
  transpose_f32(u, ut, units, G);
  zero(dhn, batch * units);
  zero(du, units * G);
  for (int s = steps - 1; s >= 0; s--) {
    const int t = step_at(s, steps, reverse), tp = step_at(s - 1, steps, reverse);
    const float *gt = gates + t * batch * G, *hpt = h + tp * batch * units;
    for (int b = 0; b < batch; b++) {
      const float *dyr = dy_row(dy, b, steps, units, t, s, seq);
      const float *g = gt + b * G, *hp = hpt + b * units;
      float *dhr = dhn + b * units, *rhr = rh + b * units, *dzr = dz + b * G;
      int j = 0;
      for (; j + 4 <= units; j += 4) gru_grad_a(g, hp, dyr, dhr, rhr, dzr, units, j, s == 0, sig, 0);
      for (; j < units; j++) gru_grad_a(g, hp, dyr, dhr, rhr, dzr, units, j, s == 0, sig, 1);
    }
    if (s > 0) {
      zero(drh, batch * units);
      gemm_acc(dz + 2 * units, G, 1, ut + 2 * units * units, units, drh, units, batch, units, units);
      gemm_acc(rh, 1, units, dz + 2 * units, G, du + 2 * units, G, units, batch, units);
      for (int b = 0; b < batch; b++) {
        const float *g = gt + b * G, *hp = hpt + b * units, *d = drh + b * units;
        float *dhr = dhn + b * units, *dzr = dz + b * G;
        int j = 0;
        for (; j + 4 <= units; j += 4) gru_grad_b(g, hp, d, dhr, dzr, units, j, sig, 0);
        for (; j < units; j++) gru_grad_b(g, hp, d, dhr, dzr, units, j, sig, 1);
      }
    }
    copy_rows(dz, G, dxp + t * G, steps * G, batch, G);
    if (s == 0) break;
    gemm_acc(dz, G, 1, ut, units, dhn, units, batch, 2 * units, units);
    gemm_acc(hpt, 1, units, dz, G, du, G, units, batch, 2 * units);
  }
}

/*
 * Max's gradient over the middle axis of x [outer, mid, inner] (the reduced axes, one contiguous
 * run): dx = dy * (x == y) with y and dy [outer, inner], in one pass; every position equal to the
 * maximum gets dy, as tfjs' gradient gives it (dy times 1 or 0, so a NaN or Inf dy stays NaN).
 */
EXPORT("max_grad_mid")
void max_grad_mid(const float *x, const float *y, const float *dy, float *dx, int outer, int mid,
                  int inner) {
  const v128_t one = wasm_f32x4_splat(1.0f);
  for (int o = 0; o < outer; o++) {
    const float *yr = y + o * inner, *gr = dy + o * inner;
    for (int t = 0; t < mid; t++) {
      const float *xr = x + (o * mid + t) * inner;
      float *dr = dx + (o * mid + t) * inner;
      int j = 0;
      for (; j + 4 <= inner; j += 4) {
        const v128_t hit = wasm_v128_and(one, wasm_f32x4_eq(wasm_v128_load(xr + j), wasm_v128_load(yr + j)));
        wasm_v128_store(dr + j, wasm_f32x4_mul(wasm_v128_load(gr + j), hit));
      }
      for (; j < inner; j++) dr[j] = gr[j] * (xr[j] == yr[j] ? 1.0f : 0.0f);
    }
  }
}

/*
 * GatherV2 (batchDims 0) of 4-byte elements: out[o, i, :] = x[o, idx[i], :] for x [outer, dim,
 * inner], as row copies (bits moved as they are, so int32 data too). Indices are checked before.
 */
EXPORT("gather_rows")
void gather_rows(const int *x, const int *idx, int *out, int outer, int dim, int count, int inner) {
  for (int o = 0; o < outer; o++) {
    const int *base = x + o * dim * inner;
    for (int i = 0; i < count; i++) {
      const int *src = base + idx[i] * inner;
      int *dst = out + (o * count + i) * inner;
      int j = 0;
      for (; j + 4 <= inner; j += 4) wasm_v128_store(dst + j, wasm_v128_load(src + j));
      for (; j < inner; j++) dst[j] = src[j];
    }
  }
}
