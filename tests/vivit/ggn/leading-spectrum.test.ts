// The device-side leading eigenpairs of a Gram matrix (subspace iteration in float32 with
// CholeskyQR and a float64 Rayleigh–Ritz on the host) against the float64 solver on the host,
// on the cpu and wasm backends and on webgpu (llvmpipe here): Gram matrices VᵀV with a decaying spectrum,
// rank-deficient ones (rank < block size), and clustered leading eigenvalues.
import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { initWasmBackend } from '../../../src/vivit/backend-wasm';
import { initWebGpuBackend } from '../../../src/vivit/backend-webgpu';
import { leadingGramSpectrum } from '../../../src/vivit/ggn/leading-spectrum';
import { symmetricEigen } from '../../../src/vivit/linalg/index';
import { Rng } from '../../../src/vivit/random';
import { tfjsOps } from '../../../src/vivit/tensor/tfjs-ops';
import { computeCurvature } from '../../../src/vivit/curvature';
import { randomCase, tinyNetworks } from '../../oracle';
import { caseModel, relErr } from './case-model';
import { liveTensorCount } from '../helpers';

async function useBackend(backend: string): Promise<void> {
  if (backend === 'webgpu') await initWebGpuBackend({ allowSoftware: true });
  else if (backend === 'wasm') await initWasmBackend();
  else await tf.setBackend(backend);
}

/** G = VᵀV (n×n) for V = Σ_r s_r u_r w_rᵀ with random orthonormal-ish u, w: rank r. */
function gramWithSpectrum(n: number, singular: number[], seed: number): Float64Array {
  const rng = new Rng(seed, 'gram');
  const d = singular.length + 7;
  const v = new Float64Array(d * n);
  singular.forEach((s) => {
    const u = Float64Array.from({ length: d }, () => rng.normal() / Math.sqrt(d));
    const w = Float64Array.from({ length: n }, () => rng.normal() / Math.sqrt(n));
    for (let i = 0; i < d; i++) for (let j = 0; j < n; j++) v[i * n + j] += s * u[i] * w[j];
  });
  const g = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let sum = 0;
      for (let r = 0; r < d; r++) sum += v[r * n + i] * v[r * n + j];
      g[i * n + j] = sum;
    }
  }
  return g;
}

const cases = [
  {
    name: 'decaying spectrum, k = 8',
    n: 120,
    s: Array.from({ length: 60 }, (_, i) => 0.8 ** i),
    k: 8,
  },
  {
    name: 'rank 10 < block, k = 6',
    n: 90,
    s: Array.from({ length: 10 }, (_, i) => 3 - 0.25 * i),
    k: 6,
  },
  {
    name: 'clustered top, k = 5',
    n: 100,
    s: [2, 2, 1.999, 1.5, 1.2, ...Array.from({ length: 40 }, (_, i) => 0.5 * 0.9 ** i)],
    k: 5,
  },
];

describe.each(['cpu', 'wasm', 'webgpu'])('leading Gram spectrum on %s', (backend) => {
  afterAll(() => tf.setBackend('cpu'));

  it.each(cases)(
    '$name',
    async ({ n, s, k }) => {
      await useBackend(backend);
      const g = gramWithSpectrum(n, s, 3);
      const exact = symmetricEigen(g, n, { vectors: true });
      const gram = tfjsOps.fromArray(g, [n, n]);
      const before = liveTensorCount();
      const scale = 0.5;
      const got = await leadingGramSpectrum(tfjsOps, gram, n, {
        k,
        eigRtol: 1e-5,
        vectors: true,
        scale,
        seed: 1,
      });
      expect(liveTensorCount()).toBe(before);
      gram.dispose();
      const top = exact.values[0];
      expect(got.values.length).toBe(k);
      for (let i = 0; i < k; i++) {
        expect(Math.abs(got.values[i] / scale - exact.values[i]) / top).toBeLessThan(2e-5);
      }
      // Vectors: each Ritz vector lies in the eigenspace of its eigenvalue (clusters spanned
      // together): ‖P_cluster x‖ ≈ 1.
      for (let i = 0; i < k; i++) {
        const cluster: number[] = [];
        for (let j = 0; j < n; j++) {
          if (Math.abs(exact.values[j] - exact.values[i]) <= 1e-2 * top) cluster.push(j);
        }
        let projected = 0;
        for (const j of cluster) {
          let dot = 0;
          for (let r = 0; r < n; r++) dot += got.vectors![i * n + r] * exact.vectors![r * n + j];
          projected += dot * dot;
        }
        expect(Math.sqrt(projected)).toBeGreaterThan(1 - 1e-4);
      }
      console.info(`${backend}: n = ${n}, k = ${k}: ${got.iterations} iterations`);
    },
    120_000,
  );
});

describe.each(['cpu', 'wasm', 'webgpu'])(
  'computeCurvature with the device eigensolver on %s',
  (backend) => {
    afterAll(() => tf.setBackend('cpu'));

    it.each(['cross_entropy', 'mse'] as const)(
      '%s: the top-k quantities equal the host solver’s',
      async (loss) => {
        await useBackend(backend);
        const net = tinyNetworks().find((t) => t.name === 'mlp-relu')!;
        const c = randomCase({
          model: net.model,
          inputShape: net.inputShape,
          N: 12,
          loss,
          seed: 8,
        });
        const { model, batch } = caseModel(tfjsOps, c);
        const options = {
          quantities: ['eigenvalues', 'gammas', 'lambdas', 'overlap'] as const,
          topK: 4,
          signs: 'gradient' as const,
        };
        const host = await computeCurvature(model, batch, {
          ...options,
          quantities: [...options.quantities],
          eigensolver: 'host',
        });
        const device = await computeCurvature(model, batch, {
          ...options,
          quantities: [...options.quantities],
          eigensolver: 'device',
        });
        tf.dispose([...model.params, batch.x, batch.y]);
        // WebGPU solves the whole spectrum on the device; elsewhere the leading pairs.
        expect(device.eigensolver).toBe(backend === 'webgpu' ? 'device' : 'device-leading');
        expect(host.eigensolver).toBe('host');
        const h = host.groups[0];
        const d = device.groups[0];
        expect(d.eigenvalues.length).toBe(4);
        expect(relErr(d.eigenvalues, h.eigenvalues)).toBeLessThan(1e-4);
        expect(relErr(d.gammaMean!, h.gammaMean!)).toBeLessThan(1e-3);
        expect(relErr(d.lambdas!.data, h.lambdas!.data)).toBeLessThan(1e-3);
        expect(relErr(d.overlap!, h.overlap!)).toBeLessThan(1e-3);
      },
      120_000,
    );

    it("'device' without topK is refused off WebGPU, naming the option and the reason", async () => {
      await tf.setBackend('cpu');
      const net = tinyNetworks().find((t) => t.name === 'mlp-relu')!;
      const c = randomCase({
        model: net.model,
        inputShape: net.inputShape,
        N: 4,
        loss: 'mse',
        seed: 1,
      });
      const { model, batch } = caseModel(tfjsOps, c);
      await expect(
        computeCurvature(model, batch, { quantities: ['eigenvalues'], eigensolver: 'device' }),
      ).rejects.toThrow(
        "options.eigensolver: 'device' solves the whole spectrum only on the WebGPU backend " +
          '(here the backend is not WebGPU); give options.topK to find the leading directions on ' +
          'this backend',
      );
      tf.dispose([...model.params, batch.x, batch.y]);
    });
  },
);
