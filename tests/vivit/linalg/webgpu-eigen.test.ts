// The full device eigensolver (GPU tridiagonalization + host float64 tridiagonal solve + GPU
// back-transformation, linalg/webgpu/) on webgpu — Mesa's llvmpipe here, a real GPU elsewhere —
// against the float64 host solver: eigenvalues, eigenvector residuals ‖Ax − λx‖, orthogonality,
// and the projector onto each eigenvalue's cluster, on matrices of the kinds a Gram matrix
// takes (decaying spectrum, rank-deficient, repeated eigenvalues, tiny and huge scales, n = 1
// and 2). Plus the tridiagonal stage alone (wasm) against a dense solve of T.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initWebGpuBackend } from '../../../src/vivit/backend-webgpu';
import { tridiagonalEigen } from '../../../src/vivit/linalg/tridiagonal-eigen';
import {
  tridiagonalValuesWasm,
  tridiagonalVectorsWasm,
} from '../../../src/vivit/linalg/eigen-wasm';
import { TridiagonalPool } from '../../../src/vivit/linalg/tridiagonal-pool';
import { symmetricEigen } from '../../../src/vivit/linalg/index';
import { Rng } from '../../../src/vivit/random';
import { tfjsOps, tfjsReadbackCount } from '../../../src/vivit/tensor/tfjs-ops';
import { BufferUsage, type GpuDevice } from '../../../src/vivit/linalg/webgpu/gpu';
import { WebGpuEigensolver } from '../../../src/vivit/linalg/webgpu/symmetric-eigen-webgpu';

/** A = U diag(λ) Uᵀ for a random orthogonal U (QR of a Gaussian matrix by Gram–Schmidt). */
function withSpectrum(spectrum: number[], seed: number): Float64Array {
  const n = spectrum.length;
  const rng = new Rng(seed, 'device-eigen');
  const u = new Float64Array(n * n); // rows are the orthonormal vectors
  for (let k = 0; k < n; k++) {
    const row = u.subarray(k * n, (k + 1) * n);
    for (let i = 0; i < n; i++) row[i] = rng.normal();
    for (let pass = 0; pass < 2; pass++) {
      for (let j = 0; j < k; j++) {
        const other = u.subarray(j * n, (j + 1) * n);
        let dot = 0;
        for (let i = 0; i < n; i++) dot += row[i] * other[i];
        for (let i = 0; i < n; i++) row[i] -= dot * other[i];
      }
      let norm = 0;
      for (let i = 0; i < n; i++) norm += row[i] * row[i];
      for (let i = 0; i < n; i++) row[i] /= Math.sqrt(norm);
    }
  }
  const a = new Float64Array(n * n);
  for (let k = 0; k < n; k++) {
    for (let i = 0; i < n; i++) {
      const s = spectrum[k] * u[k * n + i];
      for (let j = 0; j < n; j++) a[i * n + j] += s * u[k * n + j];
    }
  }
  return a;
}

const decaying = (n: number) => Array.from({ length: n }, (_, i) => 3 * 0.9 ** i);
const cases = [
  { name: 'n = 1', spectrum: [2.5], rtol: 1e-5 },
  { name: 'n = 2', spectrum: [1, -0.5], rtol: -1 },
  { name: 'n = 3, indefinite', spectrum: [2, -1, 0.5], rtol: -1 },
  { name: 'decaying spectrum, n = 64', spectrum: decaying(64), rtol: 1e-5 },
  {
    name: 'rank 20 of 97 (a Gram matrix of a rank-deficient factor)',
    spectrum: [...decaying(20), ...new Array<number>(77).fill(0)],
    rtol: 1e-5,
  },
  {
    name: 'repeated eigenvalues (a 5-fold and a 3-fold cluster), n = 48',
    spectrum: [4, 4, 4, 4, 4, 2, 2, 2, ...decaying(40).map((v) => v / 4)],
    rtol: 1e-5,
  },
  { name: 'tiny scale (1e-20), n = 40', spectrum: decaying(40).map((v) => v * 1e-20), rtol: 1e-5 },
  { name: 'huge scale (1e25), n = 40', spectrum: decaying(40).map((v) => v * 1e25), rtol: 1e-5 },
  { name: 'decaying spectrum, n = 200', spectrum: decaying(200), rtol: 1e-5 },
];

describe('symmetric eigensolver on the WebGPU device', () => {
  beforeAll(async () => {
    await initWebGpuBackend({ allowSoftware: true });
  }, 120_000);
  afterAll(() => tf.setBackend('cpu'));

  it.each(cases)(
    '$name',
    async ({ spectrum, rtol }) => {
      const n = spectrum.length;
      const a = withSpectrum(spectrum, n);
      const exact = symmetricEigen(a, n, { vectors: true });
      const norm = Math.max(...exact.values.map(Math.abs));
      const tensor = tfjsOps.fromArray(a, [n, n]);
      const reads = tfjsReadbackCount();
      const got = await tfjsOps.deviceEigensolver!()!.solve(tensor, n, {
        maxVectors: n,
        ...(rtol >= 0 ? { rtol } : {}),
      });
      // The input is left alone (the solver works on a copy).
      const after = await tfjsOps.read(tensor);
      tensor.dispose();
      expect(got).not.toBeNull();
      const { values, vectors, m } = got!;
      expect(tfjsReadbackCount() - reads).toBe(got!.reads + 1);
      for (let i = 0; i < n * n; i++) expect(after[i]).toBe(Math.fround(a[i]));

      // All n eigenvalues, descending, to float32's accuracy relative to ‖A‖.
      expect(values.length).toBe(n);
      for (let k = 0; k < n; k++) {
        expect(Math.abs(values[k] - exact.values[k]) / norm).toBeLessThan(2e-6);
        if (k > 0) expect(values[k]).toBeLessThanOrEqual(values[k - 1]);
      }
      // Vectors for exactly the eigenvalues above rtol · λ_max (or all).
      const expected = rtol < 0 ? n : exact.values.filter((v) => v > rtol * exact.values[0]).length;
      expect(m).toBe(expected);
      expect(vectors.length).toBe(m * n);
      for (let k = 0; k < m; k++) {
        const x = vectors.subarray(k * n, (k + 1) * n);
        // Residual ‖Ax − λx‖ / ‖A‖.
        let residual = 0;
        for (let i = 0; i < n; i++) {
          let ax = 0;
          for (let j = 0; j < n; j++) ax += a[i * n + j] * x[j];
          residual = Math.max(residual, Math.abs(ax - values[k] * x[i]));
        }
        expect(residual / norm).toBeLessThan(1e-5);
        // Orthonormal to float32's level.
        for (let l = 0; l <= k; l++) {
          let dot = 0;
          for (let i = 0; i < n; i++) dot += x[i] * vectors[l * n + i];
          expect(Math.abs(dot - (l === k ? 1 : 0))).toBeLessThan(2e-5);
        }
        // In the exact eigenspace of its eigenvalue (clusters spanned together).
        let projected = 0;
        for (let j = 0; j < n; j++) {
          if (Math.abs(exact.values[j] - exact.values[k]) > 1e-3 * norm) continue;
          let dot = 0;
          for (let i = 0; i < n; i++) dot += x[i] * exact.vectors![i * n + j];
          projected += dot * dot;
        }
        expect(Math.sqrt(projected)).toBeGreaterThan(1 - 1e-5);
      }
    },
    300_000,
  );

  it('a non-finite entry is reported, not returned as numbers', async () => {
    const n = 8;
    const a = withSpectrum(decaying(n), 2);
    a[3 * n + 5] = a[5 * n + 3] = Number.NaN;
    const tensor = tfjsOps.fromArray(a, [n, n]);
    await expect(tfjsOps.deviceEigensolver!()!.solve(tensor, n, { maxVectors: n })).rejects.toThrow(
      'the matrix has non-finite entries',
    );
    tensor.dispose();
  });

  it('a failed solve (its input buffer destroyed) is reported and turns that solver off', async () => {
    // A solver of its own: the shared one must stay usable for the other tests.
    const device = (tf.backend() as unknown as { device: GpuDevice }).device;
    const solver = new WebGpuEigensolver(device);
    const n = 16;
    const buffer = device.createBuffer({ size: 4 * n * n, usage: BufferUsage.STORAGE });
    buffer.destroy();
    await expect(solver.solve(buffer, n, { maxVectors: n })).rejects.toThrow(
      /^the device eigensolver failed: WebGPU: /,
    );
    expect(solver.unsupported(n)).toMatch(/^it failed earlier in this process \(WebGPU: /);
    solver.destroy();
  });

  it('names what does not fit the device, and is absent on other backends', async () => {
    const solver = tfjsOps.deviceEigensolver!()!;
    expect(solver.unsupported(1152)).toBeNull();
    expect(solver.unsupported(100_000)).toMatch(/^n = 100000 needs \d+ bytes of workgroup memory/);
    await tf.setBackend('cpu');
    expect(tfjsOps.deviceEigensolver!()).toBeNull();
    await initWebGpuBackend({ allowSoftware: true });
  });
});

describe('the tridiagonal stage: eigenvalues and inverse-iteration vectors of T', () => {
  let pool: TridiagonalPool;
  beforeAll(() => {
    pool = new TridiagonalPool(3);
  });
  afterAll(() => pool.close());

  /** T with a random diagonal and off-diagonal, optionally split into blocks of 10 and made
   *  of two identical halves (every eigenvalue twice). */
  function tridiagonal(n: number, split: boolean, repeat: boolean, scale = 1) {
    const rng = new Rng(n, 'tridiagonal');
    const d = Float64Array.from({ length: n }, () => scale * rng.normal());
    const e = Float64Array.from({ length: n - 1 }, () => scale * rng.normal());
    if (split) for (let i = 9; i < n - 1; i += 10) e[i] = 0;
    if (repeat) {
      const half = n / 2;
      for (let i = 0; i < half; i++) d[half + i] = d[i];
      for (let i = 0; i < half - 1; i++) e[half + i] = e[i];
      e[half - 1] = 0;
    }
    return { d, e };
  }

  it.each([
    { name: 'random T, n = 150', n: 150, split: false, repeat: false, scale: 1 },
    {
      name: 'T that splits into blocks (zero couplings)',
      n: 60,
      split: true,
      repeat: false,
      scale: 1,
    },
    {
      name: 'T = two copies of one block (every eigenvalue twice)',
      n: 80,
      split: true,
      repeat: true,
      scale: 1,
    },
    { name: 'random T scaled by 1e-30, n = 50', n: 50, split: false, repeat: false, scale: 1e-30 },
  ])('$name', async ({ n, split, repeat, scale }) => {
    const { d, e } = tridiagonal(n, split, repeat, scale);
    const dense = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      dense[i * n + i] = d[i];
      if (i + 1 < n) dense[i * n + i + 1] = dense[(i + 1) * n + i] = e[i];
    }
    const exact = symmetricEigen(dense, n, { vectors: false });
    const got = await tridiagonalEigen(d, e, n, { maxVectors: n, clusterGap: 1e-9, pool: null });
    expect(got.m).toBe(n);
    const norm = Math.max(...exact.values.map(Math.abs));
    for (let k = 0; k < n; k++) {
      expect(Math.abs(got.values[k] - exact.values[k])).toBeLessThan(1e-13 * norm);
    }
    const z = got.vectors;
    for (let k = 0; k < n; k++) {
      let residual = 0;
      for (let i = 0; i < n; i++) {
        const tz =
          d[i] * z[k * n + i] +
          (i > 0 ? e[i - 1] * z[k * n + i - 1] : 0) +
          (i + 1 < n ? e[i] * z[k * n + i + 1] : 0);
        residual = Math.max(residual, Math.abs(tz - got.values[k] * z[k * n + i]));
      }
      expect(residual).toBeLessThan(1e-12 * norm);
      for (let l = 0; l <= k; l++) {
        let dot = 0;
        for (let i = 0; i < n; i++) dot += z[k * n + i] * z[l * n + i];
        expect(Math.abs(dot - (l === k ? 1 : 0))).toBeLessThan(1e-9);
      }
    }
  });

  it('worker threads give the same vectors, bit for bit, as this thread alone', async () => {
    // 400 eigenvalues with exactly repeated pairs (clusters a split must not cut).
    const { d, e } = tridiagonal(400, true, true);
    const options = { maxVectors: 400, clusterGap: 1e-9 };
    const alone = await tridiagonalEigen(d, e, 400, { ...options, pool: null });
    const shared = await tridiagonalEigen(d, e, 400, { ...options, pool });
    expect(alone.pieces).toBe(1);
    expect(shared.pieces).toBe(4);
    expect(shared.values).toEqual(alone.values);
    expect(shared.vectors).toEqual(alone.vectors);
  });

  it.each([
    { name: 'T of order 1', scale: 1 },
    // Pivots of ~ε·1e-140 make the back substitution rescale (|z| > 1e150) in every solve.
    { name: 'T of order 1e-140 (the solves rescale)', scale: 2 ** -465 },
  ])(
    'vectors solved four at a time in SIMD lanes equal those solved one at a time: $name',
    async ({ scale }) => {
      // 150 distinct eigenvalues: every vector is alone in its cluster, so one call of 150
      // solves 37 groups of four in lanes and the last two one at a time, while calls of one
      // vector always take the one-at-a-time path.
      const n = 150;
      const { d, e } = tridiagonal(n, false, false, scale);
      // Eigenvalues of T scaled to order 1, as tridiagonal_values expects (exact powers of 2).
      const values = tridiagonalValuesWasm(
        d.map((x) => x / scale),
        e.map((x) => x / scale),
      ).map((x) => x * scale);
      const together = tridiagonalVectorsWasm(d, e, values, 1e-9, 0);
      const norm = Math.max(...values.map(Math.abs));
      for (let k = 0; k < n; k++) {
        const alone = tridiagonalVectorsWasm(d, e, values.slice(k, k + 1), 1e-9, k);
        expect(together.subarray(k * n, (k + 1) * n)).toEqual(alone);
        let residual = 0;
        for (let i = 0; i < n; i++) {
          const tz =
            d[i] * alone[i] +
            (i > 0 ? e[i - 1] * alone[i - 1] : 0) +
            (i + 1 < n ? e[i] * alone[i + 1] : 0);
          residual = Math.max(residual, Math.abs(tz - values[k] * alone[i]));
        }
        expect(residual).toBeLessThan(1e-12 * norm);
      }
      // Into a float32 destination: the same vectors, rounded.
      const rounded = tridiagonalVectorsWasm(d, e, values, 1e-9, 0, new Float32Array(n * n));
      expect(rounded).toEqual(Float32Array.from(together));
    },
  );

  it('writes rounded vectors into a shared float32 staging array, worker rows in place', async () => {
    const { d, e } = tridiagonal(400, true, true);
    const options = { maxVectors: 400, clusterGap: 1e-9 };
    const reference = await tridiagonalEigen(d, e, 400, { ...options, pool: null });
    const into = new Float32Array(new SharedArrayBuffer(4 * 400 * 401)).fill(7);
    const staged = await tridiagonalEigen(d, e, 400, { ...options, pool, into });
    expect(staged.pieces).toBe(4);
    expect(staged.vectors.buffer).toBe(into.buffer);
    expect(staged.vectors).toEqual(Float32Array.from(reference.vectors));
    expect(into[400 * 400]).toBe(7); // nothing written past m × n
    // Not shared: this thread alone, same result.
    const plain = await tridiagonalEigen(d, e, 400, {
      ...options,
      pool,
      into: new Float32Array(400 * 400),
    });
    expect(plain.pieces).toBe(1);
    expect(plain.vectors).toEqual(staged.vectors);
    await expect(
      tridiagonalEigen(d, e, 400, { ...options, into: new Float32Array(10) }),
    ).rejects.toThrow(/options.into holds 10 entries, 400 vectors need 160000/);
  });

  it('keeps vectors for λ > rtol · λ_max only, and none when λ_max ≤ 0', async () => {
    const d = Float64Array.from([5, 1, 1e-7, -2]);
    const e = new Float64Array(3);
    const options = { clusterGap: 1e-9, pool: null };
    expect((await tridiagonalEigen(d, e, 4, { ...options, maxVectors: 4, rtol: 1e-5 })).m).toBe(2);
    expect((await tridiagonalEigen(d, e, 4, { ...options, maxVectors: 1, rtol: 1e-5 })).m).toBe(1);
    const negative = Float64Array.from([-1, -2]);
    const none = await tridiagonalEigen(negative, new Float64Array(1), 2, {
      ...options,
      maxVectors: 2,
      rtol: 0,
    });
    expect(none.m).toBe(0);
  });
});
