// Monte-Carlo GGN (mc_samples = M): each sample's output Hessian is replaced by Σ_m s_m s_mᵀ
// with M draws scaled by 1/√M (cross-entropy: s = onehot(ŷ) − p, ŷ ~ softmax; mse: √(2/C)·r,
// r Rademacher), whose expectation is the exact Hessian. So the MC GGN equals the exact one in
// expectation, and its error shrinks like 1/√M.
import { describe, expect, it } from 'vitest';
import { bruteForceCurvature, randomCase, tinyNetworks } from './index';

const frobRel = (a: Float64Array, b: Float64Array): number => {
  let d = 0;
  let r = 0;
  for (let i = 0; i < b.length; i++) {
    d += (a[i] - b[i]) ** 2;
    r += b[i] ** 2;
  }
  return Math.sqrt(d / r);
};

describe.each(['cross_entropy', 'mse'] as const)('MC GGN, %s', (loss) => {
  const net = tinyNetworks().find((n) => n.name === 'mlp-tanh')!;
  const base = randomCase({ model: net.model, inputShape: net.inputShape, N: 4, loss, seed: 21 });
  const exact = bruteForceCurvature(base);

  it('converges to the exact GGN like 1/√M', () => {
    const few = bruteForceCurvature({ ...base, mc_samples: 16 });
    const many = bruteForceCurvature({ ...base, mc_samples: 16 * 400 });
    const errFew = frobRel(few.intermediates.ggn, exact.intermediates.ggn);
    const errMany = frobRel(many.intermediates.ggn, exact.intermediates.ggn);
    console.log(
      `${loss}: ‖G_MC − G‖/‖G‖ = ${errFew.toExponential(2)} (M = 16), ${errMany.toExponential(2)} (M = 6400)`,
    );
    // √400 = 20 in expectation; 5 leaves room for the randomness of two single draws.
    expect(errMany).toBeLessThan(errFew / 5);
    expect(errMany).toBeLessThan(0.05);
    expect(errFew).toBeGreaterThan(1e-3); // the MC path is really sampled
    // Loss and gradient never depend on the curvature approximation.
    expect(many.loss).toBe(exact.loss);
    expect(many.gradient).toEqual(exact.gradient);
  });

  it('is unbiased: the average over independent seeds (M = 1) approaches the exact GGN', () => {
    const R = 300;
    const D = exact.intermediates.D;
    const mean = new Float64Array(D * D);
    for (let r = 0; r < R; r++) {
      const one = bruteForceCurvature({ ...base, mc_samples: 1 }, { mcSeed: 1000 + r });
      one.intermediates.ggn.forEach((v, i) => (mean[i] += v / R));
    }
    const err = frobRel(mean, exact.intermediates.ggn);
    const single = frobRel(
      bruteForceCurvature({ ...base, mc_samples: 1 }, { mcSeed: 1 }).intermediates.ggn,
      exact.intermediates.ggn,
    );
    console.log(
      `${loss}: one draw ${single.toExponential(2)}, mean of ${R} seeds ${err.toExponential(2)}`,
    );
    expect(err).toBeLessThan(single / 5);
  });

  it('output-Hessian estimate: (1/M) Σ s sᵀ → H at rate 1/√M', () => {
    const M = 20000;
    const drawn = bruteForceCurvature({ ...base, mc_samples: M, subsampling: [2] }, { mcSeed: 77 });
    expect(drawn.intermediates.mcFactors![0].length).toBe(M);
    const H = drawn.intermediates.ggnOutputHessians[0];
    expect(frobRel(H, exact.intermediates.outputHessians[2])).toBeLessThan(4 / Math.sqrt(M));
  });

  it('is deterministic for a seed and varies between seeds; column means still equal eigenvalues', () => {
    const a = bruteForceCurvature({ ...base, mc_samples: 2 }, { mcSeed: 5 });
    const b = bruteForceCurvature({ ...base, mc_samples: 2 }, { mcSeed: 5 });
    const c = bruteForceCurvature({ ...base, mc_samples: 2 }, { mcSeed: 6 });
    expect(a.groups[0].eigvals).toEqual(b.groups[0].eigvals);
    expect(a.groups[0].eigvals).not.toEqual(c.groups[0].eigvals);
    // rank ≤ N·M with M vectors per sample
    expect(a.groups[0].eigvals.length).toBeLessThanOrEqual(4 * 2);
    const grp = a.groups[0];
    grp.eigvals.forEach((lam, k) => {
      const mean = grp.lambdas.reduce((s, r) => s + r[k], 0) / grp.lambdas.length;
      expect(Math.abs(mean - lam)).toBeLessThan(1e-10 * grp.eigvals[0]);
    });
  });
});
