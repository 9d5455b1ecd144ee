// Batched float64 matrix product.
//
// Speed comes from the loop order (i-k-j: the inner loop streams rows of B into rows of C, all
// contiguous) and from register blocking: four rows of C are updated from four rows of B at a
// time, so each loaded B value feeds four rows and each C store carries four k-terms (~4x the
// plain i-k-j loop in V8). Every C entry gets its k-terms in the same grouping whichever path
// computes its row, so results do not depend on the row's position.
// Transposed operands are first copied into plain layout (O(mk + kn), small next to O(mkn)) so
// the kernel always sees contiguous rows.

import { Float64Tensor, fmt } from './tensor';

/** C[m×n] += A[m×k] · B[k×n] for row-major blocks at the given offsets. */
function kernel(
  a: Float64Array,
  aOff: number,
  b: Float64Array,
  bOff: number,
  c: Float64Array,
  cOff: number,
  m: number,
  k: number,
  n: number,
): void {
  const k4 = k - (k % 4);
  const m4 = m - (m % 4);
  let i = 0;
  for (; i < m4; i += 4) {
    const c0 = cOff + i * n;
    const c1 = c0 + n;
    const c2 = c1 + n;
    const c3 = c2 + n;
    const r0 = aOff + i * k;
    const r1 = r0 + k;
    const r2 = r1 + k;
    const r3 = r2 + k;
    let p = 0;
    for (; p < k4; p += 4) {
      const s00 = a[r0 + p],
        s01 = a[r0 + p + 1],
        s02 = a[r0 + p + 2],
        s03 = a[r0 + p + 3];
      const s10 = a[r1 + p],
        s11 = a[r1 + p + 1],
        s12 = a[r1 + p + 2],
        s13 = a[r1 + p + 3];
      const s20 = a[r2 + p],
        s21 = a[r2 + p + 1],
        s22 = a[r2 + p + 2],
        s23 = a[r2 + p + 3];
      const s30 = a[r3 + p],
        s31 = a[r3 + p + 1],
        s32 = a[r3 + p + 2],
        s33 = a[r3 + p + 3];
      const b0 = bOff + p * n;
      const b1 = b0 + n;
      const b2 = b1 + n;
      const b3 = b2 + n;
      for (let j = 0; j < n; j++) {
        const x0 = b[b0 + j];
        const x1 = b[b1 + j];
        const x2 = b[b2 + j];
        const x3 = b[b3 + j];
        c[c0 + j] += s00 * x0 + s01 * x1 + s02 * x2 + s03 * x3;
        c[c1 + j] += s10 * x0 + s11 * x1 + s12 * x2 + s13 * x3;
        c[c2 + j] += s20 * x0 + s21 * x1 + s22 * x2 + s23 * x3;
        c[c3 + j] += s30 * x0 + s31 * x1 + s32 * x2 + s33 * x3;
      }
    }
    for (; p < k; p++) {
      const s0 = a[r0 + p];
      const s1 = a[r1 + p];
      const s2 = a[r2 + p];
      const s3 = a[r3 + p];
      const bp = bOff + p * n;
      for (let j = 0; j < n; j++) {
        const x = b[bp + j];
        c[c0 + j] += s0 * x;
        c[c1 + j] += s1 * x;
        c[c2 + j] += s2 * x;
        c[c3 + j] += s3 * x;
      }
    }
  }
  for (; i < m; i++) {
    const ci = cOff + i * n;
    const ri = aOff + i * k;
    let p = 0;
    for (; p < k4; p += 4) {
      const s0 = a[ri + p],
        s1 = a[ri + p + 1],
        s2 = a[ri + p + 2],
        s3 = a[ri + p + 3];
      const b0 = bOff + p * n;
      const b1 = b0 + n;
      const b2 = b1 + n;
      const b3 = b2 + n;
      for (let j = 0; j < n; j++) {
        c[ci + j] += s0 * b[b0 + j] + s1 * b[b1 + j] + s2 * b[b2 + j] + s3 * b[b3 + j];
      }
    }
    for (; p < k; p++) {
      const s = a[ri + p];
      const bp = bOff + p * n;
      for (let j = 0; j < n; j++) c[ci + j] += s * b[bp + j];
    }
  }
}

/** Transposes the last two axes of each of `batch` [rows×cols] blocks into [cols×rows]. */
function transposeBlocks(x: Float64Array, batch: number, rows: number, cols: number): Float64Array {
  const out = new Float64Array(x.length);
  for (let t = 0; t < batch; t++) {
    const off = t * rows * cols;
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++) out[off + c * rows + r] = x[off + r * cols + c];
    }
  }
  return out;
}

export function matMul(
  a: Float64Tensor,
  b: Float64Tensor,
  transposeA = false,
  transposeB = false,
): Float64Tensor {
  const rank = a.rank;
  if (rank < 2 || b.rank !== rank) {
    throw new Error(
      `matMul: operands ${fmt(a.shape)} and ${fmt(b.shape)} must have the same rank >= 2`,
    );
  }
  const batchShape = a.shape.slice(0, rank - 2);
  if (!batchShape.every((n, d) => n === b.shape[d])) {
    throw new Error(
      `matMul: batch dimensions of ${fmt(a.shape)} and ${fmt(b.shape)} must match exactly`,
    );
  }
  const [ar, ac] = a.shape.slice(rank - 2);
  const [br, bc] = b.shape.slice(rank - 2);
  const [m, k] = transposeA ? [ac, ar] : [ar, ac];
  const [kb, n] = transposeB ? [bc, br] : [br, bc];
  if (k !== kb) {
    throw new Error(
      `matMul: inner dimensions differ: ${fmt(a.shape)}${transposeA ? 'ᵀ' : ''} x ` +
        `${fmt(b.shape)}${transposeB ? 'ᵀ' : ''} (${k} vs ${kb})`,
    );
  }
  const batch = batchShape.reduce((s, d) => s * d, 1);
  const x = transposeA ? transposeBlocks(a.data, batch, ar, ac) : a.data;
  const y = transposeB ? transposeBlocks(b.data, batch, br, bc) : b.data;
  const out = new Float64Array(batch * m * n);
  for (let t = 0; t < batch; t++) kernel(x, t * m * k, y, t * k * n, out, t * m * n, m, k, n);
  return new Float64Tensor(out, [...batchShape, m, n]);
}
