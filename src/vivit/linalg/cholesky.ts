// Small dense Cholesky helpers (float64, row-major), for the b×b problems of the device-side
// leading-eigenvector solver (ggn/leading-spectrum.ts): S = RᵀR and R⁻¹.

/** Upper-triangular R with RᵀR = A (A symmetric positive definite, n×n row-major), or null
 *  when A is not numerically positive definite. */
export function choleskyUpper(a: Float64Array, n: number): Float64Array | null {
  const r = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    let d = a[i * n + i];
    for (let k = 0; k < i; k++) d -= r[k * n + i] * r[k * n + i];
    if (!(d > 0)) return null;
    const rii = Math.sqrt(d);
    r[i * n + i] = rii;
    for (let j = i + 1; j < n; j++) {
      let s = a[i * n + j];
      for (let k = 0; k < i; k++) s -= r[k * n + i] * r[k * n + j];
      r[i * n + j] = s / rii;
    }
  }
  return r;
}

/** R⁻¹ of an upper-triangular R (n×n row-major), by back substitution column by column. */
export function invertUpper(r: Float64Array, n: number): Float64Array {
  const inv = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    inv[j * n + j] = 1 / r[j * n + j];
    for (let i = j - 1; i >= 0; i--) {
      let s = 0;
      for (let k = i + 1; k <= j; k++) s += r[i * n + k] * inv[k * n + j];
      inv[i * n + j] = -s / r[i * n + i];
    }
  }
  return inv;
}
