// Small dense helpers on row-major Float64Array matrices, for the eigensolver's callers and its
// tests. Plain loops in i-k-j order so the innermost loop runs along contiguous rows.

/** C = A B for A (m×k) and B (k×n). */
export function matmul(
  a: Float64Array,
  b: Float64Array,
  m: number,
  k: number,
  n: number,
): Float64Array {
  checkSize(a, m * k, 'matmul', 'a');
  checkSize(b, k * n, 'matmul', 'b');
  const c = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    const ci = i * n;
    for (let p = 0; p < k; p++) {
      const aip = a[i * k + p];
      if (aip === 0) continue;
      const bp = p * n;
      for (let j = 0; j < n; j++) c[ci + j] += aip * b[bp + j];
    }
  }
  return c;
}

/** Aᵀ for A (rows×cols). */
export function transpose(a: Float64Array, rows: number, cols: number): Float64Array {
  checkSize(a, rows * cols, 'transpose', 'a');
  const t = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) t[j * rows + i] = a[i * cols + j];
  return t;
}

/** The Gram matrix VᵀV (cols×cols) of V (rows×cols): entry [i, j] is the scalar product of
 *  columns i and j. Computed once per pair and mirrored, so the result is exactly symmetric. */
export function gramMatrix(v: Float64Array, rows: number, cols: number): Float64Array {
  checkSize(v, rows * cols, 'gramMatrix', 'v');
  const g = new Float64Array(cols * cols);
  // Accumulate rank-one updates row by row of V (contiguous), upper triangle only.
  for (let r = 0; r < rows; r++) {
    const vr = r * cols;
    for (let i = 0; i < cols; i++) {
      const x = v[vr + i];
      if (x === 0) continue;
      const gi = i * cols;
      for (let j = i; j < cols; j++) g[gi + j] += x * v[vr + j];
    }
  }
  for (let i = 0; i < cols; i++) for (let j = 0; j < i; j++) g[i * cols + j] = g[j * cols + i];
  return g;
}

/** X diag(values) Xᵀ for X (n×m, column k paired with values[k]); m = values.length. With the
 *  output of `symmetricEigen` this reconstructs A, and with a subset of columns (m < n) it
 *  builds the corresponding low-rank part. */
export function fromEigen(values: Float64Array, vectors: Float64Array, n: number): Float64Array {
  const m = values.length;
  checkSize(vectors, n * m, 'fromEigen', 'vectors');
  const out = new Float64Array(n * n);
  const scaled = new Float64Array(m);
  for (let i = 0; i < n; i++) {
    const xi = i * m;
    for (let k = 0; k < m; k++) scaled[k] = vectors[xi + k] * values[k];
    for (let j = i; j < n; j++) {
      const xj = j * m;
      let s = 0;
      for (let k = 0; k < m; k++) s += scaled[k] * vectors[xj + k];
      out[i * n + j] = s;
      out[j * n + i] = s;
    }
  }
  return out;
}

/** max_ij |a_ij − b_ij| (arrays of equal length). */
export function maxAbsDiff(a: Float64Array, b: Float64Array): number {
  checkSize(b, a.length, 'maxAbsDiff', 'b');
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    if (d > m || Number.isNaN(d)) m = d;
  }
  return m;
}

/** max_ij |a_ij|. */
export function maxAbs(a: Float64Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]);
    if (d > m || Number.isNaN(d)) m = d;
  }
  return m;
}

function checkSize(a: Float64Array, expected: number, fn: string, name: string): void {
  if (a.length !== expected) {
    throw new RangeError(`${fn}: ${name} has ${a.length} entries, expected ${expected}`);
  }
}
