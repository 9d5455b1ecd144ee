// Eigenvalues and leading eigenvectors of a symmetric tridiagonal matrix in float64, the host
// stage of the device eigensolver (webgpu/symmetric-eigen-webgpu.ts): all eigenvalues by the
// wasm module's QR iteration (O(n²), one thread), then the eigenvectors of the kept ones by
// inverse iteration, O(n) each — split into runs at eigenvalue gaps wider than the cluster
// threshold and shared between this thread and worker threads (tridiagonal-pool.ts). Vectors
// depend only on their eigenvalue's index and its cluster, so the result is the same
// whichever way the work is split.

import { tridiagonalValuesWasm, tridiagonalVectorsWasm } from './eigen-wasm';
import { nontrivialCount } from './nontrivial';
import { isShared, tridiagonalPool, type TridiagonalPool } from './tridiagonal-pool';

export interface TridiagonalEigenOptions {
  /** At most this many eigenvectors (0..n). */
  maxVectors: number;
  /** Only for eigenvalues λ > rtol · λ_max (the nontrivial rule, nontrivial.ts; none when
   *  λ_max ≤ 0). Omit to get exactly maxVectors. */
  rtol?: number;
  /** Eigenvalues closer than clusterGap · ‖T‖ are re-orthogonalized as a cluster; others come
   *  out orthogonal to about ε‖T‖ / gap (LAPACK's dstein uses 1e-3). */
  clusterGap: number;
  /** Worker threads to share the vectors with (default: the process's pool, one fewer than
   *  the cores; null: this thread alone). */
  pool?: TridiagonalPool | null;
  /** Write the vectors, rounded to float32, into this array (at least maxVectors × n entries)
   *  instead of a new float64 one: the device solver's upload staging. Workers write their rows
   *  into it in place when it is backed by a SharedArrayBuffer; otherwise this thread works
   *  alone. Kept across steps, it spares allocating megabytes per step. */
  into?: Float32Array;
}

export interface TridiagonalEigen {
  /** All n eigenvalues, descending. */
  values: Float64Array;
  /** The m eigenvectors as rows (m × n), row k belonging to values[k]: the first m·n entries
   *  of options.into when given. */
  vectors: Float64Array | Float32Array;
  m: number;
  /** How many pieces the vectors were computed in (1: this thread alone). */
  pieces: number;
}

/** Below this many vectors per piece, splitting costs more than it saves. */
const MIN_VECTORS_PER_PIECE = 32;

/** `d` (n) and `e` (e[i] couples i and i+1; entries from n−1 on are ignored). */
export async function tridiagonalEigen(
  d: ArrayLike<number>,
  e: ArrayLike<number>,
  n: number,
  options: TridiagonalEigenOptions,
): Promise<TridiagonalEigen> {
  // Scale by a power of two (exact) to max |t_ij| in [1/2, 1), as the wasm module expects.
  let largest = 0;
  for (let i = 0; i < n; i++) {
    largest = Math.max(largest, Math.abs(d[i]), i + 1 < n ? Math.abs(e[i]) : 0);
  }
  const exponent = largest > 0 ? Math.floor(Math.log2(largest)) + 1 : 0;
  const down = 2 ** -exponent;
  const ds = Float64Array.from({ length: n }, (_, i) => d[i] * down);
  const es = Float64Array.from({ length: n }, (_, i) => (i + 1 < n ? e[i] * down : 0));

  const scaled = tridiagonalValuesWasm(ds, es);
  // Descending values: the nontrivial ones are a prefix.
  const m =
    options.rtol === undefined
      ? options.maxVectors
      : Math.min(options.maxVectors, nontrivialCount(scaled, options.rtol));
  const { into } = options;
  if (into !== undefined && into.length < m * n) {
    throw new RangeError(`options.into holds ${into.length} entries, ${m} vectors need ${m * n}`);
  }
  // Workers write into shared memory; without a shared destination this thread works alone.
  const shared = into === undefined || isShared(into.buffer);
  const pool = !shared ? null : options.pool === undefined ? tridiagonalPool() : options.pool;
  const pieces = splitAtGaps(scaled, m, options.clusterGap * infinityNorm(ds, es), pool);
  const vectors =
    into?.subarray(0, m * n) ??
    new Float64Array(pool === null ? new ArrayBuffer(8 * m * n) : new SharedArrayBuffer(8 * m * n));
  const solve = (start: number, end: number): void => {
    const out = vectors.subarray(start * n, end * n);
    tridiagonalVectorsWasm(ds, es, scaled.slice(start, end), options.clusterGap, start, out);
  };
  // Other pieces go to the workers first, then this thread does the first one.
  const remote = pieces.slice(1).map(async ([start, end]) => {
    const task = {
      d: ds,
      e: es,
      lambdas: scaled.slice(start, end),
      clusterGap: options.clusterGap,
      firstIndex: start,
      out: vectors.subarray(start * n, end * n),
    };
    try {
      await pool!.vectors(task);
    } catch {
      solve(start, end); // a worker failed: the pool reports itself broken, redo it here
    }
  });
  if (pieces.length > 0) solve(pieces[0][0], pieces[0][1]);
  await Promise.all(remote);
  const values = scaled.map((v) => v * 2 ** exponent);
  return { values, vectors, m, pieces: Math.max(1, pieces.length) };
}

/** ‖T‖∞, as the wasm module measures it for its cluster test. */
function infinityNorm(d: Float64Array, e: Float64Array): number {
  const n = d.length;
  let norm = 0;
  for (let i = 0; i < n; i++) {
    const left = i > 0 ? Math.abs(e[i - 1]) : 0;
    const right = i + 1 < n ? Math.abs(e[i]) : 0;
    norm = Math.max(norm, Math.abs(d[i]) + left + right);
  }
  return norm === 0 ? 1 : norm;
}

/** [start, end) runs of the first m eigenvalues, one per thread at most, cut only where the
 *  gap to the previous eigenvalue is well above the cluster threshold (twice it, so rounding
 *  in the norm never puts a cut inside a cluster). */
function splitAtGaps(
  values: Float64Array,
  m: number,
  threshold: number,
  pool: TridiagonalPool | null,
): [number, number][] {
  if (m === 0) return [];
  const threads = pool === null ? 1 : pool.size + 1;
  const parts = Math.max(1, Math.min(threads, Math.floor(m / MIN_VECTORS_PER_PIECE)));
  const target = Math.ceil(m / parts);
  const pieces: [number, number][] = [];
  let start = 0;
  for (let j = 1; j < m; j++) {
    if (j - start >= target && values[j - 1] - values[j] > 2 * threshold) {
      pieces.push([start, j]);
      start = j;
    }
  }
  pieces.push([start, m]);
  return pieces;
}
