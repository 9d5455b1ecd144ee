// The nontrivial spectrum of a group's Gram matrix G̃ solved where it lives, by the full device
// eigensolver (linalg/webgpu/): every eigenvalue, and eigenvectors only for the kept ones — the
// same Spectrum the host path (quantities/spectrum.ts) returns, in float32 accuracy. Two device
// round trips however large the Gram matrix, where the host path reads all n² entries back and
// spends O(n³) on the CPU (docs/linalg.md, "On the GPU").

import { nontrivialCount } from '../linalg/nontrivial';
import type { Spectrum } from '../quantities/spectrum';
import type { DeviceEigensolver, Ops } from '../tensor/ops';

export interface DeviceSpectrumOptions {
  eigRtol: number;
  topK?: number;
  vectors: boolean;
  /** With vectors: also bring them to the host (`vectors`, signs fixed as the host solver's);
   *  false leaves them on the device only (`vectorsOnDevice`, signs as the solver made them),
   *  for γ and λ formed there — the m × n read and its host work are spared. */
  hostVectors: boolean;
  /** Factor turning the raw device Gram matrix into G̃ (1/N_S). */
  scale: number;
}

export interface DeviceSpectrum<T> extends Spectrum {
  /** tr G̃: the sum of all n eigenvalues. */
  trace: number;
  /** The eigenvector rows (K × n, signs as in `vectors`) as a device tensor, for products on
   *  the device without uploading them again; null without vectors. The caller disposes it. */
  vectorsOnDevice: T | null;
  /** Stage times in ms (reduction on the device, tridiagonal solve on the host, vectors). */
  stages: { reduce: number; tridiagonal: number; backTransform: number };
}

export async function deviceGramSpectrum<T>(
  ops: Ops<T>,
  solver: DeviceEigensolver<T>,
  gram: T,
  n: number,
  options: DeviceSpectrumOptions,
): Promise<DeviceSpectrum<T>> {
  const { eigRtol, topK, scale } = options;
  const result = await solver.solve(gram, n, {
    maxVectors: options.vectors ? Math.min(topK ?? n, n) : 0,
    rtol: eigRtol,
    readVectors: options.hostVectors,
  });
  const all = result.values.map((v) => v * scale);
  const nontrivial = nontrivialCount(all, eigRtol);
  const k = Math.min(nontrivial, topK ?? nontrivial);
  let vectors: Float32Array | null = null;
  let vectorsOnDevice = result.vectorsTensor;
  // The solver applies the same rule (λ > eigRtol · λ_max, at most topK) to pick m.
  if (options.vectors && result.m !== k) {
    if (vectorsOnDevice !== null) ops.dispose(vectorsOnDevice);
    throw new Error(`device eigensolver: ${result.m} eigenvectors for ${k} kept eigenvalues`);
  }
  if (options.vectors && options.hostVectors) {
    vectors = result.vectors;
    const signs = fixRowSigns(vectors, k, n);
    if (vectorsOnDevice !== null && signs.includes(-1)) {
      const unsigned = vectorsOnDevice;
      vectorsOnDevice = ops.tidy(() => ops.mul(unsigned, ops.fromArray(signs, [k, 1])));
      ops.dispose(unsigned);
    }
  }
  let trace = 0;
  for (const v of all) trace += v;
  return {
    n,
    values: all.slice(0, k),
    nontrivial,
    vectors,
    vectorsOnDevice,
    trace,
    stages: result.timings,
  };
}

/** Each row's entry of largest magnitude made positive (the first one on ties), as the host
 *  solver does for its eigenvectors (linalg/signs.ts), so both paths agree on signs. Returns
 *  the factor (±1) each row was multiplied by. */
function fixRowSigns(rows: Float32Array, count: number, n: number): Float64Array {
  const signs = new Float64Array(count).fill(1);
  for (let k = 0; k < count; k++) {
    const row = rows.subarray(k * n, (k + 1) * n);
    let largest = 0;
    let negative = false;
    for (const x of row) {
      if (Math.abs(x) > largest) {
        largest = Math.abs(x);
        negative = x < 0;
      }
    }
    if (negative) {
      for (let i = 0; i < n; i++) row[i] = -row[i];
      signs[k] = -1;
    }
  }
  return signs;
}
