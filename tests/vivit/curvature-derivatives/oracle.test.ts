// End to end against the brute-force float64 oracle (tests/oracle): on tiny networks covering
// every layer type, the per-layer Gram contributions (summed over layers and parameters,
// times 1/|S|) of the loss factor backpropagated with jacTMatProd equal the Gram matrix VᵀV of
// the oracle's factor built from its dense dual-number Jacobians with the same S_n; the
// contributions against the per-sample gradient stack equal Vᵀg_n; and trace and Frobenius
// norm of the Gram matrix equal those of the oracle's dense GGN (its eigenvalues' sum and
// sum of squares). This loop is a minimal stand-in for the sweep in src/vivit/ggn.
import { describe, expect, it } from 'vitest';
import { lossModule } from '../../../src/vivit/loss/registry';
import { batchToEngine } from '../../../src/vivit/nn/layout';
import { Network } from '../../../src/vivit/nn/network';
import { Rng } from '../../../src/vivit/random';
import { Float64Tensor, float64Ops as ops } from '../../../src/vivit/tensor/float64-ops';
import {
  bruteForceCurvature,
  factorTransposeTimes,
  gramOf,
  groupFactor,
  randomCase,
  restrictToGroup,
  tinyNetworks,
} from '../../oracle';
import { engineLayers } from '../ggn/case-model';
import { relativeError } from './setup';

const N = 3;

interface Variant {
  name: string;
  subsampling: number[] | null;
  /** 0: the exact factor; else that many MC vectors per sample (engine's draws). */
  mc: number;
}

const variants: Variant[] = [
  { name: 'exact', subsampling: null, mc: 0 },
  { name: 'exact, sub-sampled [2, 0]', subsampling: [2, 0], mc: 0 },
  { name: 'MC 2, sub-sampled [1, 2]', subsampling: [1, 2], mc: 2 },
];

describe('layer Gram contributions reproduce the oracle', () => {
  for (const net of tinyNetworks()) {
    for (const loss of ['cross_entropy', 'mse'] as const) {
      for (const v of variants) {
        it(`${net.name}, ${loss}, ${v.name}`, () => {
          const kase = randomCase({
            model: net.model,
            inputShape: net.inputShape,
            N,
            loss,
            seed: 17,
            subsampling: v.subsampling,
          });
          const oracle = bruteForceCurvature(kase);
          const lossFn = lossModule(loss);

          const network = new Network(engineLayers(kase.model), net.inputShape);
          const params = network.paramsFromTorch(
            ops,
            kase.params.map((p) => p.data),
          );
          const input = new Float64Tensor(Float64Array.from(kase.input.data), kase.input.shape);
          const { out, caches } = network.forward(ops, params, batchToEngine(ops, input), {
            training: false,
          });
          const target = new Float64Tensor(Float64Array.from(kase.target.data), kase.target.shape);
          const samples = v.subsampling;
          const rows = samples ?? Array.from({ length: N }, (_, i) => i);
          const ns = rows.length;
          const outS = ops.gather(out, rows, 0);
          const targetS = ops.gather(target, rows, 0);
          let s =
            v.mc === 0
              ? lossFn.sqrtHessian(ops, outS, targetS)
              : lossFn.sqrtHessianSampled(ops, outS, targetS, v.mc, new Rng(5, 'mc'));
          const factor = s; // [M, Ns, C], kept for the oracle's V
          const [m, , classes] = factor.shape;
          let g = ops.reshape(lossFn.perSampleGradient(ops, out, target), [1, N, classes]);

          let gram = ops.zeros([ns * m, ns * m]);
          let vtg = ops.zeros([ns * m, N]);
          for (let i = network.layers.length - 1; i >= 0; i--) {
            const layer = network.layers[i];
            const lp = network.layerParams(params, i);
            if (layer.curvature) {
              for (const part of layer.curvature.gram(ops, lp, caches[i], s, samples, s, samples))
                gram = ops.add(gram, part);
              for (const part of layer.curvature.gram(ops, lp, caches[i], s, samples, g, null))
                vtg = ops.add(vtg, part);
            }
            if (i > 0) {
              s = layer.jacTMatProd(ops, lp, caches[i], s, samples);
              g = layer.jacTMatProd(ops, lp, caches[i], g, null);
            }
          }
          gram = ops.scale(gram, 1 / ns);
          vtg = ops.scale(vtg, 1 / Math.sqrt(ns));

          // The oracle's V with the engine's S_n (C×M, column r = the engine's vector r).
          const V = groupFactor(oracle, 0, (sample) => {
            const k = rows.indexOf(sample);
            const S = new Float64Array(classes * m);
            for (let r = 0; r < m; r++) {
              for (let c = 0; c < classes; c++) {
                S[c * m + r] = factor.data[(r * ns + k) * classes + c];
              }
            }
            return { S, R: m };
          });
          expect(relativeError(gram.data, gramOf(V))).toBeLessThan(1e-10);

          const expectedVtg = new Float64Array(ns * m * N);
          oracle.intermediates.sampleGradients.forEach((gn, n) => {
            const col = factorTransposeTimes(V, restrictToGroup(oracle, 0, gn));
            col.forEach((value, i) => (expectedVtg[i * N + n] = value));
          });
          expect(relativeError(vtg.data, expectedVtg)).toBeLessThan(1e-10);

          if (v.mc === 0) {
            // Spectrum-level checks against the dense GGN: Σλ = tr G, Σλ² = ‖G‖_F².
            const G = oracle.intermediates.ggn;
            const D = oracle.intermediates.D;
            let trace = 0;
            for (let i = 0; i < D; i++) trace += G[i * D + i];
            const frob = G.reduce((acc, x) => acc + x * x, 0);
            let gramTrace = 0;
            for (let i = 0; i < ns * m; i++) gramTrace += gram.data[i * ns * m + i];
            const gramFrob = gram.data.reduce((acc, x) => acc + x * x, 0);
            expect(Math.abs(gramTrace - trace) / trace).toBeLessThan(1e-10);
            expect(Math.abs(gramFrob - frob) / frob).toBeLessThan(1e-10);
          }
        });
      }
    }
  }
});
