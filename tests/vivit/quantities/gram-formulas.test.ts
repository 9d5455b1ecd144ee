// The Gram-space formulas against their definitions on a synthetic factor (no network):
// Eq. 5 (e_k = Vẽ_k/√λ_k are orthonormal eigenvectors of G), Eq. 8a (γ_nk = e_kᵀ g_n from
// Vᵀg_n), Eq. 8b (λ_nk = e_kᵀ G_n e_k = N·λ_k·Σ_m ẽ_k[n·M+m]²), layer shares from Gram blocks.

import { describe, expect, test } from 'vitest';
import { directionalGradients } from '../../../src/vivit/quantities/gammas';
import { directionalCurvatures } from '../../../src/vivit/quantities/lambdas';
import { gramLayerShares } from '../../../src/vivit/quantities/layer-shares';
import { gramSpectrum } from '../../../src/vivit/quantities/spectrum';
import { float64Ops } from '../../../src/vivit/tensor/float64-ops';
import { liftDense, synthetic } from './synthetic';

const dot = (a: Float64Array, b: Float64Array) => a.reduce((s, x, i) => s + x * b[i], 0);

describe.each([
  { N: 5, M: 3, D: 40, title: 'full rank (D > N·M)' },
  { N: 6, M: 2, D: 8, title: 'rank deficient (D < N·M)' },
  { N: 4, M: 1, D: 30, title: 'one vector per sample (MC-1)' },
])('$title', ({ N, M, D }) => {
  const s = synthetic(N, M, D, N * 100 + M);
  const n = N * M;
  const spectrum = gramSpectrum(s.gram, n, { eigRtol: 1e-10, vectors: true });
  const K = spectrum.values.length;
  const e = liftDense(s, spectrum.vectors!, spectrum.values);

  test('K = rank, and the lifted vectors are orthonormal eigenvectors of G (Eq. 5)', () => {
    expect(K).toBe(Math.min(n, D));
    for (let k = 0; k < K; k++) {
      for (let j = 0; j < K; j++) expect(dot(e[k], e[j])).toBeCloseTo(k === j ? 1 : 0, 10);
      // G e_k = (1/N) Σ_n G_n e_k = λ_k e_k.
      const Ge = new Float64Array(D);
      for (const Gn of s.sampleGGN)
        for (let a = 0; a < D; a++)
          for (let b = 0; b < D; b++) Ge[a] += (Gn[a * D + b] * e[k][b]) / N;
      for (let a = 0; a < D; a++) expect(Ge[a]).toBeCloseTo(spectrum.values[k] * e[k][a], 9);
    }
  });

  test('γ_nk from P equals e_kᵀ g_n (Eq. 8a)', async () => {
    const P = float64Ops.fromArray(s.projections, [n, N]);
    const gammas = await directionalGradients(float64Ops, spectrum, P, 1);
    for (let r = 0; r < N; r++) {
      for (let k = 0; k < K; k++) expect(gammas.data[r * K + k]).toBeCloseTo(dot(e[k], s.g[r]), 10);
    }
  });

  test('λ_nk from the Gram eigenvectors equals e_kᵀ G_n e_k (Eq. 8b), and averages to λ_k', () => {
    const lambdas = directionalCurvatures(spectrum, N, M);
    for (let r = 0; r < N; r++) {
      for (let k = 0; k < K; k++) {
        const Gn = s.sampleGGN[r];
        let q = 0;
        for (let a = 0; a < D; a++)
          for (let b = 0; b < D; b++) q += e[k][a] * Gn[a * D + b] * e[k][b];
        expect(lambdas.data[r * K + k]).toBeCloseTo(q, 9);
      }
    }
    for (let k = 0; k < K; k++) {
      let mean = 0;
      for (let r = 0; r < N; r++) mean += lambdas.data[r * K + k] / N;
      expect(mean).toBeCloseTo(spectrum.values[k], 10);
    }
  });

  test('layer shares from Gram blocks equal the split of ‖e_k‖² over coordinate blocks', async () => {
    // Split the D coordinates into two "layers" and form each block's Gram matrix.
    const cut = Math.floor(D / 3);
    const blocks = [
      [0, cut],
      [cut, D],
    ].map(([lo, hi]) => {
      const G = new Float64Array(n * n);
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) {
          let t = 0;
          for (let a = lo; a < hi; a++) t += s.v[i][a] * s.v[j][a];
          G[i * n + j] = t; // raw (unscaled), as the sweep returns them
        }
      }
      return float64Ops.fromArray(G, [n, n]);
    });
    const shares = await gramLayerShares(float64Ops, spectrum, blocks, 1 / N);
    for (let k = 0; k < K; k++) {
      let first = 0;
      for (let a = 0; a < cut; a++) first += e[k][a] ** 2;
      expect(shares.data[k * 2]).toBeCloseTo(first, 10);
      expect(shares.data[k * 2] + shares.data[k * 2 + 1]).toBeCloseTo(1, 12);
    }
  });
});

test('eigRtol and topK select the nontrivial, leading directions', () => {
  const s = synthetic(5, 2, 6, 7); // rank 6 of 10
  const all = gramSpectrum(s.gram, 10, { eigRtol: 1e-10, vectors: false });
  expect(all.nontrivial).toBe(6);
  expect(all.values.length).toBe(6);
  const top = gramSpectrum(s.gram, 10, { eigRtol: 1e-10, topK: 2, vectors: true });
  expect(top.nontrivial).toBe(6);
  expect(Array.from(top.values)).toEqual(Array.from(all.values.subarray(0, 2)));
  expect(top.vectors!.length).toBe(2 * 10);
  const coarse = gramSpectrum(s.gram, 10, { eigRtol: 0.5, vectors: false });
  const expected = Array.from(all.values).filter((v) => v > 0.5 * all.values[0]).length;
  expect(coarse.values.length).toBe(expected);
  expect(expected).toBeLessThan(6);
});
