// The leading eigenpairs of a Gram matrix G̃ where it lives (the GPU), for top-k monitoring.
//
// The full float64 solve on the CPU reads G̃ (n×n, n = N·M: 1152 at N = 128 exact on MNIST)
// back and tridiagonalizes it: O(n³), ~0.13 s for the values and ~0.33 s with all vectors here
// (docs/linalg.md) — several times a whole GPU step. When only the k largest directions are
// kept (topK), subspace iteration needs just products G̃·Q with an n×b block (b = k plus
// oversampling) on the device, and b×b problems on the host:
//
//   Q ← orth(G̃ Q)                         power step; orth by shifted CholeskyQR + CholeskyQR2
//   H = Qᵀ G̃ Q, H = Z Θ Zᵀ (float64, host)   Rayleigh–Ritz
//   Q ← Q Z; stop when ‖G̃ q_i − θ_i q_i‖ ≤ tol · θ_1 for the k kept pairs
//
// CholeskyQR orthonormalizes with matrix products only (what a GPU does well); its shifted
// first pass keeps it stable for the ill-conditioned blocks that power steps produce (Fukaya,
// Kannan, Nakatsukasa, Yamamoto, Yanagisawa 2020, "Shifted Cholesky QR"). Accuracy is float32's:
// eigenvalues to about 1e-6 · θ_1, as the float32 Gram matrix itself (docs/linalg.md).

import { symmetricEigen } from '../linalg/index';
import { choleskyUpper, invertUpper } from '../linalg/cholesky';
import { nontrivialCount } from '../linalg/nontrivial';
import type { Spectrum } from '../quantities/spectrum';
import { Rng } from '../random';
import type { Ops } from '../tensor/ops';
import { readAll } from '../tensor/read';

export interface LeadingSpectrumOptions {
  /** How many leading directions to keep. */
  k: number;
  eigRtol: number;
  vectors: boolean;
  /** Factor turning the raw device Gram matrix into G̃ (1/N_S). */
  scale: number;
  seed: number;
  /** Relative residual ‖G̃q − θq‖ / θ_1 at which a Ritz pair has converged. */
  tolerance?: number;
  maxIterations?: number;
  /** Also return tr G̃ (scale · the sum of the device matrix's diagonal), read with the first
   *  product the iteration reads anyway (no extra round trip). */
  trace?: boolean;
}

/** Subspace size for k wanted directions. */
export function leadingBlockSize(k: number, n: number): number {
  return Math.min(n, k + Math.max(8, k));
}

/** float32 unit roundoff: the shift of the first CholeskyQR pass is sized by it. */
const FLOAT32_EPS = 2 ** -24;

export async function leadingGramSpectrum<T>(
  ops: Ops<T>,
  gram: T,
  n: number,
  options: LeadingSpectrumOptions,
): Promise<Spectrum & { iterations: number; trace?: number }> {
  const b = leadingBlockSize(options.k, n);
  const tolerance = options.tolerance ?? 1e-4;
  const maxIterations = options.maxIterations ?? 30;
  const rng = new Rng(options.seed, 'leading-spectrum');
  let q = ops.fromArray(
    Float64Array.from({ length: n * b }, () => rng.normal()),
    [n, b],
  );
  const trace: Extra<T> | undefined = options.trace
    ? { tensor: ops.tidy(() => ops.sum(gramDiagonal(ops, gram, n))) }
    : undefined;
  try {
    q = await replace(ops, q, orthonormalize(ops, q, n, b, trace));
    for (let iteration = 1; ; iteration++) {
      const y = ops.matMul(gram, q);
      let ritz: Ritz;
      try {
        ritz = await rayleighRitz(ops, q, y, b);
      } catch (e) {
        ops.dispose(y);
        throw e;
      }
      // Ritz vectors Q Z and residuals G̃(QZ) − (QZ)Θ = YZ − QZΘ for the kept pairs.
      const z = ops.fromArray(ritz.z, [b, b]);
      const qz = ops.matMul(q, z);
      const yz = ops.matMul(y, z);
      ops.dispose([y, z]);
      const theta = ops.fromArray(ritz.theta, [1, b]);
      const residual = ops.tidy(() => ops.sum(ops.square(ops.sub(yz, ops.mul(qz, theta))), [0]));
      ops.dispose([yz, theta]);
      const [norms] = await readAll(ops, [residual]);
      ops.dispose(residual);
      const top = Math.max(ritz.theta[0], 0);
      const kept = Math.min(options.k, nontrivialCount(ritz.theta, options.eigRtol));
      let converged = true;
      for (let i = 0; i < kept; i++) {
        if (Math.sqrt(Math.max(norms[i], 0)) > tolerance * top) converged = false;
      }
      if (converged || iteration >= maxIterations) {
        const spectrum = await finish(ops, qz, ritz.theta, kept, n, b, options);
        ops.dispose(qz);
        const out = { ...spectrum, iterations: iteration };
        return trace ? { ...out, trace: trace.value! * options.scale } : out;
      }
      // Next power step from the Ritz basis.
      ops.dispose(q);
      const next = ops.matMul(gram, qz);
      ops.dispose(qz);
      q = await replace(ops, next, orthonormalize(ops, next, n, b));
    }
  } finally {
    ops.dispose(q);
    if (trace) ops.dispose(trace.tensor);
  }
}

/** A scalar tensor read along with a product (its value filled in by that read). */
interface Extra<T> {
  tensor: T;
  value?: number;
}

/** The diagonal [n] of an n×n matrix (a gather of its flat entries i·(n + 1)). */
export function gramDiagonal<T>(ops: Ops<T>, m: T, n: number): T {
  return ops.gather(
    ops.reshape(m, [n * n]),
    Array.from({ length: n }, (_, i) => i * (n + 1)),
    0,
  );
}

interface Ritz {
  /** Ritz values, descending. */
  theta: Float64Array;
  /** Their vectors in the Q basis: b×b row-major, column i belongs to theta[i]. */
  z: Float64Array;
}

/** AᵀB (b×b) computed on the device, read back and symmetrized in float64 (for A = B, or where
 *  AᵀB is symmetric in exact arithmetic: float32 roundoff makes it slightly not). */
async function symmetricProduct<T>(
  ops: Ops<T>,
  a: T,
  b: T,
  size: number,
  extra?: Extra<T>,
): Promise<Float64Array> {
  const product = ops.matMul(a, b, true, false);
  let data: Float32Array | Float64Array;
  try {
    const read = await readAll(ops, extra ? [product, extra.tensor] : [product]);
    data = read[0];
    if (extra) extra.value = read[1][0];
  } finally {
    ops.dispose(product);
  }
  const sym = new Float64Array(size * size);
  for (let i = 0; i < size; i++) {
    for (let j = 0; j < size; j++)
      sym[i * size + j] = 0.5 * (data[i * size + j] + data[j * size + i]);
  }
  return sym;
}

async function rayleighRitz<T>(ops: Ops<T>, q: T, y: T, b: number): Promise<Ritz> {
  const sym = await symmetricProduct(ops, q, y, b);
  const eig = symmetricEigen(sym, b, { vectors: true, symmetryTolerance: 1 });
  return { theta: eig.values, z: eig.vectors! };
}

async function finish<T>(
  ops: Ops<T>,
  qz: T,
  theta: Float64Array,
  kept: number,
  n: number,
  b: number,
  options: LeadingSpectrumOptions,
): Promise<Spectrum> {
  const values = Float64Array.from(theta.subarray(0, kept), (v) => v * options.scale);
  let vectors: Float64Array | null = null;
  if (options.vectors && kept > 0) {
    const [data] = await readAll(ops, [qz]);
    vectors = new Float64Array(kept * n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < kept; j++) vectors[j * n + i] = data[i * b + j];
    }
  }
  // Only the block is known: the count of nontrivial values within it (at most b).
  return { n, values, nontrivial: nontrivialCount(theta, options.eigRtol), vectors };
}

/** Disposes `old` once `next` resolved (they may be the same tensor's successor). */
async function replace<T>(ops: Ops<T>, old: T, next: Promise<T>): Promise<T> {
  const value = await next;
  if (value !== old) ops.dispose(old);
  return value;
}

/**
 * An orthonormal basis of the columns of Y (n×b) on the device: one shifted CholeskyQR pass
 * (S = YᵀY + sI, so the Cholesky factor exists even for nearly dependent columns), then two
 * plain passes that restore orthogonality to working precision.
 */
async function orthonormalize<T>(
  ops: Ops<T>,
  y: T,
  n: number,
  b: number,
  extra?: Extra<T>,
): Promise<T> {
  let current = y;
  for (let pass = 0; pass < 3; pass++) {
    const gram = await symmetricProduct(ops, current, current, b, pass === 0 ? extra : undefined);
    let trace = 0;
    for (let i = 0; i < b; i++) trace += gram[i * b + i];
    let shift = pass === 0 ? 11 * (n * b + b * (b + 1)) * FLOAT32_EPS * trace : 0;
    let r = null;
    for (let attempt = 0; r === null && attempt < 8; attempt++) {
      const shifted = Float64Array.from(gram);
      for (let i = 0; i < b; i++) shifted[i * b + i] += shift;
      r = choleskyUpper(shifted, b);
      shift = Math.max(shift * 10, FLOAT32_EPS * trace);
    }
    if (r === null) throw new Error('leading spectrum: the block lost rank (CholeskyQR failed)');
    const rInv = ops.fromArray(invertUpper(r, b), [b, b]);
    const next = ops.matMul(current, rInv);
    ops.dispose(rInv);
    if (current !== y) ops.dispose(current);
    current = next;
  }
  return current;
}
