// Small dense linear algebra in float64 for the proxies (matrices of batch size, e.g. 64 x 64).

/** log |det A| of a square matrix (LU with partial pivoting); -Infinity when singular. */
export function logAbsDet(A: readonly (readonly number[])[]): number {
  const n = A.length;
  const M = A.map((r) => [...r]);
  let s = 0;
  for (let k = 0; k < n; k++) {
    let p = k;
    for (let i = k + 1; i < n; i++) if (Math.abs(M[i][k]) > Math.abs(M[p][k])) p = i;
    if (M[p][k] === 0) return -Infinity;
    if (p !== k) [M[p], M[k]] = [M[k], M[p]];
    s += Math.log(Math.abs(M[k][k]));
    for (let i = k + 1; i < n; i++) {
      const f = M[i][k] / M[k][k];
      if (f === 0) continue;
      for (let j = k; j < n; j++) M[i][j] -= f * M[k][j];
    }
  }
  return s;
}

/** Eigenvalues of a symmetric matrix (cyclic Jacobi rotations), ascending. */
export function symmetricEigenvalues(A: readonly (readonly number[])[], sweeps = 100): number[] {
  const n = A.length;
  const M = A.map((r) => [...r]);
  for (let sweep = 0; sweep < sweeps; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += M[p][q] * M[p][q];
    if (off < 1e-22) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        if (Math.abs(M[p][q]) < 1e-300) continue;
        const theta = (M[q][q] - M[p][p]) / (2 * M[p][q]);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const mkp = M[k][p];
          const mkq = M[k][q];
          M[k][p] = c * mkp - s * mkq;
          M[k][q] = s * mkp + c * mkq;
        }
        for (let k = 0; k < n; k++) {
          const mpk = M[p][k];
          const mqk = M[q][k];
          M[p][k] = c * mpk - s * mqk;
          M[q][k] = s * mpk + c * mqk;
        }
      }
    }
  }
  return M.map((r, i) => r[i]).sort((a, b) => a - b);
}

/** Pearson correlation matrix of the rows of X (rows with zero variance correlate 0, 1 with themselves). */
export function corrcoef(X: readonly (readonly number[])[]): number[][] {
  const n = X.length;
  const centred = X.map((r) => {
    const m = r.reduce((a, b) => a + b, 0) / r.length;
    return r.map((v) => v - m);
  });
  const norms = centred.map((r) => Math.sqrt(r.reduce((a, b) => a + b * b, 0)));
  const C = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let i = 0; i < n; i++) {
    for (let j = i; j < n; j++) {
      let d = 0;
      for (let k = 0; k < centred[i].length; k++) d += centred[i][k] * centred[j][k];
      const v = i === j ? 1 : norms[i] > 0 && norms[j] > 0 ? d / (norms[i] * norms[j]) : 0;
      C[i][j] = v;
      C[j][i] = v;
    }
  }
  return C;
}
