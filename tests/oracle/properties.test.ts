// Internal consistency of the oracle on many tiny networks: the dense GGN is symmetric PSD with
// the right trace and rank, its eigenpairs reconstruct it, the paper's identities hold (mean
// λ_nk = λ_k, Gram spectrum = GGN spectrum, Eq. 8a), and the case options (subsampling,
// subsampling_grad, param_groups, damping) mean what the format says, each checked by a second
// route that does not reuse the code path under test.
import { describe, expect, it } from 'vitest';
import {
  bruteForceCurvature,
  factorTransposeTimes,
  gramOf,
  groupFactor,
  jacobiEigen,
  randomCase,
  restrictToGroup,
  tinyNetworks,
  type CurvatureCase,
} from './index';
import { relErr } from './compare';

const dot = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
};
const matVec = (A: Float64Array, x: ArrayLike<number>, n: number): Float64Array =>
  Float64Array.from({ length: n }, (_, i) => {
    let s = 0;
    for (let j = 0; j < n; j++) s += A[i * n + j] * x[j];
    return s;
  });
const maxAbs = (a: ArrayLike<number>): number => Math.max(...Array.from(a, Math.abs));

/** Solves A x = b by Gaussian elimination with partial pivoting (A n×n, copied). */
function solve(Ain: Float64Array, bin: ArrayLike<number>, n: number): Float64Array {
  const A = Float64Array.from(Ain);
  const b = Float64Array.from(bin);
  for (let k = 0; k < n; k++) {
    let piv = k;
    for (let i = k + 1; i < n; i++) if (Math.abs(A[i * n + k]) > Math.abs(A[piv * n + k])) piv = i;
    for (let j = 0; j < n; j++) [A[k * n + j], A[piv * n + j]] = [A[piv * n + j], A[k * n + j]];
    [b[k], b[piv]] = [b[piv], b[k]];
    for (let i = k + 1; i < n; i++) {
      const f = A[i * n + k] / A[k * n + k];
      for (let j = k; j < n; j++) A[i * n + j] -= f * A[k * n + j];
      b[i] -= f * b[k];
    }
  }
  const x = new Float64Array(n);
  for (let i = n - 1; i >= 0; i--) {
    let s = b[i];
    for (let j = i + 1; j < n; j++) s -= A[i * n + j] * x[j];
    x[i] = s / A[i * n + i];
  }
  return x;
}

const cases = tinyNetworks().flatMap((net, i) =>
  (['cross_entropy', 'mse'] as const).map((loss, j) => ({
    name: `${net.name} ${loss}`,
    net,
    loss,
    N: 3 + ((2 * i + j) % 6),
    seed: 100 + 2 * i + j,
  })),
);

describe.each(cases)('oracle properties: $name (N = $N)', ({ net, loss, N, seed }) => {
  const c = randomCase({
    model: net.model,
    inputShape: net.inputShape,
    N,
    loss,
    seed,
    damping: 0.3,
  });
  const out = bruteForceCurvature(c);
  const im = out.intermediates;
  const { D, C } = im;
  const g0 = im.groups[0];
  const scaleG = maxAbs(im.ggn);

  it('G is symmetric and positive semi-definite', () => {
    for (let i = 0; i < D; i++)
      for (let j = 0; j < i; j++) {
        expect(Math.abs(im.ggn[i * D + j] - im.ggn[j * D + i])).toBeLessThanOrEqual(1e-14 * scaleG);
      }
    expect(scaleG).toBeGreaterThan(0);
    expect(g0.eigenvalues[D - 1]).toBeGreaterThan(-1e-12 * g0.eigenvalues[0]);
  });

  it('trace(G) = (1/N) Σ_n trace(G_n) = Σ_n,c ‖v_nc‖² = Σ eigenvalues', () => {
    let traceG = 0;
    for (let i = 0; i < D; i++) traceG += im.ggn[i * D + i];
    let perSample = 0;
    for (const Gn of im.sampleGGNs) for (let i = 0; i < D; i++) perSample += Gn[i * D + i] / N;
    const fromFactor = groupFactor(out, 0).columns.reduce((s, v) => s + dot(v, v), 0);
    const fromEigen = g0.eigenvalues.reduce((s, v) => s + v, 0);
    expect(Math.abs(perSample - traceG) / traceG).toBeLessThan(1e-12);
    expect(Math.abs(fromFactor - traceG) / traceG).toBeLessThan(1e-12);
    expect(Math.abs(fromEigen - traceG) / traceG).toBeLessThan(1e-10);
  });

  it('nontrivial eigenpairs reconstruct G; they are orthonormal eigenvectors; rank bound holds', () => {
    const R = new Float64Array(D * D);
    for (let k = 0; k < g0.K; k++) {
      const e = g0.eigenvectors[k];
      for (let i = 0; i < D; i++)
        for (let j = 0; j < D; j++) R[i * D + j] += g0.eigenvalues[k] * e[i] * e[j];
      expect(
        relErr(
          matVec(im.ggn, e, D),
          e.map((v) => g0.eigenvalues[k] * v),
        ),
      ).toBeLessThan(1e-9);
      for (let l = 0; l <= k; l++)
        expect(Math.abs(dot(e, g0.eigenvectors[l]) - (k === l ? 1 : 0))).toBeLessThan(1e-12);
    }
    expect(relErr(R, im.ggn)).toBeLessThan(1e-11);
    // Each H_n has rank C (mse) or C − 1 (cross-entropy: softmax Hessian annihilates 1).
    expect(g0.K).toBeLessThanOrEqual(N * (loss === 'cross_entropy' ? C - 1 : C));
    expect(g0.K).toBeGreaterThan(0);
  });

  it('result fields: eigvals descending and filtered, signs, column means (mean λ_nk = λ_k)', () => {
    const grp = out.groups[0];
    expect(grp.eigvals.length).toBe(g0.K);
    grp.eigvals.forEach((v, k) => {
      expect(v).toBeGreaterThan(c.eig_rtol! * grp.eigvals[0]);
      if (k > 0) expect(v).toBeLessThanOrEqual(grp.eigvals[k - 1]);
    });
    if (g0.K < D) expect(g0.eigenvalues[g0.K]).toBeLessThanOrEqual(c.eig_rtol! * grp.eigvals[0]);
    expect(grp.eigvecs_top.length).toBe(Math.min(3, g0.K));
    for (const v of grp.eigvecs_top) {
      const big = v.reduce((b, x) => (Math.abs(x) > Math.abs(b) ? x : b), 0);
      expect(big).toBeGreaterThan(0);
      expect(Math.abs(dot(v, v) - 1)).toBeLessThan(1e-12);
    }
    expect(grp.gammas.length).toBe(N);
    expect(grp.lambdas.length).toBe(N);
    for (let k = 0; k < g0.K; k++) {
      const lamMean = grp.lambdas.reduce((s, r) => s + r[k], 0) / N;
      expect(Math.abs(lamMean - grp.eigvals[k])).toBeLessThan(1e-10 * grp.eigvals[0]);
      const gamMean = grp.gammas.reduce((s, r) => s + r[k], 0) / N;
      expect(Math.abs(gamMean - dot(g0.eigenvectors[k], out.gradient))).toBeLessThan(
        1e-12 * (maxAbs(out.gradient) + 1),
      );
      grp.lambdas.forEach((r) => expect(r[k]).toBeGreaterThan(-1e-12 * grp.eigvals[0]));
    }
  });

  it('Gram matrix VᵀV has the same nontrivial spectrum, and Eq. 8a holds in V-space', () => {
    const V = groupFactor(out, 0);
    const m = V.columns.length;
    expect(m).toBe(N * C);
    const gram = jacobiEigen(gramOf(V), m);
    const K = g0.K;
    expect(relErr(gram.values.subarray(0, K), g0.eigenvalues.subarray(0, K))).toBeLessThan(1e-10);
    expect(gram.values[K] ?? 0).toBeLessThan(1e-9 * gram.values[0]);
    // γ_nk = ẽ_kᵀ Vᵀ g_n / √λ_k (Gram eigenvectors carry an arbitrary sign: compare per column).
    for (let k = 0; k < Math.min(K, 4); k++) {
      if (k + 1 < K && gram.values[k] - gram.values[k + 1] < 1e-6 * gram.values[0]) continue; // near-degenerate
      if (k > 0 && gram.values[k - 1] - gram.values[k] < 1e-6 * gram.values[0]) continue;
      const viaGram = im.gradSamples.map(
        (n) =>
          dot(
            gram.vectors[k],
            factorTransposeTimes(V, restrictToGroup(out, 0, im.sampleGradients[n])),
          ) / Math.sqrt(gram.values[k]),
      );
      const direct = out.groups[0].gammas.map((r) => r[k]);
      const sign = Math.sign(dot(viaGram, direct)) || 1;
      expect(
        relErr(
          viaGram.map((v) => sign * v),
          direct,
        ),
      ).toBeLessThan(1e-8);
    }
  });

  it('newton step: G·(x − step) = 0 for x = −(G + δI)⁻¹ g, and the step lies in the eigenspace', () => {
    const delta = c.damping!;
    const A = Float64Array.from(im.ggn);
    for (let i = 0; i < D; i++) A[i * D + i] += delta;
    const x = solve(
      A,
      out.gradient.map((v) => -v),
      D,
    );
    const diff = x.map((v, i) => v - out.newton_step[i]);
    expect(maxAbs(matVec(im.ggn, diff, D))).toBeLessThan(1e-9 * scaleG * maxAbs(x));
    // Step = Σ_k c_k e_k exactly: its projection onto the K eigenvectors is itself.
    const proj = new Float64Array(D);
    for (let k = 0; k < g0.K; k++) {
      const e = g0.eigenvectors[k];
      const a = dot(e, out.newton_step);
      for (let i = 0; i < D; i++) proj[i] += a * e[i];
    }
    expect(relErr(proj, out.newton_step)).toBeLessThan(1e-10);
  });
});

describe('case options', () => {
  const net = tinyNetworks().find((n) => n.name === 'cnn-avgpool-padded')!;
  const base = randomCase({
    model: net.model,
    inputShape: net.inputShape,
    N: 6,
    loss: 'cross_entropy',
    seed: 9,
  });
  const size = net.inputShape.reduce((a, b) => a * b, 1);
  /** The case restricted to some samples, built by slicing the batch (a second route). */
  const sliced = (c: CurvatureCase, idx: number[]): CurvatureCase => ({
    ...c,
    input: {
      shape: [idx.length, ...c.input.shape.slice(1)],
      data: idx.flatMap((n) => c.input.data.slice(n * size, (n + 1) * size)),
    },
    target: { shape: [idx.length], data: idx.map((n) => c.target.data[n]) },
    subsampling: null,
    subsampling_grad: null,
  });

  it('subsampling: the GGN is the mean over S; gradient and loss stay full-batch', () => {
    const S = [4, 1, 3];
    const sub = bruteForceCurvature({ ...base, subsampling: S });
    const full = bruteForceCurvature(base);
    const onlyS = bruteForceCurvature(sliced(base, S));
    expect(relErr(sub.intermediates.ggn, onlyS.intermediates.ggn)).toBeLessThan(1e-14);
    expect(relErr(sub.groups[0].eigvals, onlyS.groups[0].eigvals)).toBeLessThan(1e-12);
    expect(relErr(sub.gradient, full.gradient)).toBe(0);
    expect(sub.loss).toBe(full.loss);
    // λ rows follow S's order; γ rows cover all samples (subsampling_grad = null).
    expect(sub.groups[0].lambdas.length).toBe(3);
    expect(sub.groups[0].gammas.length).toBe(6);
    // λ_nk does not depend on the sign of e_k, so rows compare directly.
    S.forEach((_, r) =>
      expect(relErr(sub.groups[0].lambdas[r], onlyS.groups[0].lambdas[r])).toBeLessThan(1e-9),
    );
    // γ of sample n along e_k equals e_kᵀ g_n with g_n from the sliced case.
    S.forEach((n, r) => {
      const gn = onlyS.intermediates.sampleGradients[r];
      const expected = sub.intermediates.groups[0].eigenvectors
        .slice(0, sub.groups[0].eigvals.length)
        .map((e) => dot(e, gn));
      expect(relErr(sub.groups[0].gammas[n], expected)).toBeLessThan(1e-12);
    });
  });

  it('subsampling_grad: γ rows for those samples, newton step from their column means', () => {
    const Sg = [5, 0];
    const out = bruteForceCurvature({ ...base, subsampling_grad: Sg, damping: 0.5 });
    const full = bruteForceCurvature({ ...base, damping: 0.5 });
    const grp = out.groups[0];
    expect(grp.gammas.length).toBe(2);
    expect(grp.lambdas.length).toBe(6);
    Sg.forEach((n, r) =>
      expect(relErr(grp.gammas[r], full.groups[0].gammas[n])).toBeLessThan(1e-14),
    );
    const E = out.intermediates.groups[0].eigenvectors;
    const step = new Float64Array(out.intermediates.D);
    grp.eigvals.forEach((lam, k) => {
      const gbar = (grp.gammas[0][k] + grp.gammas[1][k]) / 2;
      E[k].forEach((v, i) => (step[i] += (-gbar / (lam + 0.5)) * v));
    });
    expect(relErr(out.newton_step, step)).toBeLessThan(1e-10);
    expect(relErr(out.newton_step, full.newton_step)).toBeGreaterThan(1e-3);
  });

  it('param_groups: block-diagonal GGN, steps scattered into params order', () => {
    const groups = [
      [2, 3],
      [0, 1],
    ];
    const out = bruteForceCurvature({ ...base, param_groups: groups });
    const full = bruteForceCurvature(base);
    const im = out.intermediates;
    expect(out.groups.map((g) => g.param_indices)).toEqual([
      [2, 3],
      [0, 1],
    ]);
    const offsets = im.paramOffsets;
    const sizes = base.params.map((p) => p.data.length);
    out.groups.forEach((grp, gi) => {
      const gim = im.groups[gi];
      const coords = grp.param_indices.flatMap((p) =>
        Array.from({ length: sizes[p] }, (_, e) => offsets[p] + e),
      );
      expect(gim.coords).toEqual(coords);
      const d = coords.length;
      const block = Float64Array.from(
        { length: d * d },
        (_, ab) => full.intermediates.ggn[coords[Math.floor(ab / d)] * im.D + coords[ab % d]],
      );
      expect(relErr(gim.ggn, block)).toBe(0);
      // Its eigenvalues are those of the block, via the trace and Frobenius norm identities.
      const trace = coords.reduce((s, i) => s + full.intermediates.ggn[i * im.D + i], 0);
      expect(Math.abs(gim.eigenvalues.reduce((s, v) => s + v, 0) - trace) / trace).toBeLessThan(
        1e-10,
      );
      const frob2 = block.reduce((s, v) => s + v * v, 0);
      expect(Math.abs(gim.eigenvalues.reduce((s, v) => s + v * v, 0) - frob2) / frob2).toBeLessThan(
        1e-10,
      );
      expect(grp.eigvecs_top[0].length).toBe(d);
      expect(grp.gammas[0].length).toBe(grp.eigvals.length);
      expect(
        relErr(
          coords.map((i) => out.newton_step[i]),
          grp.newton_step,
        ),
      ).toBe(0);
    });
    expect(relErr(out.newton_step, full.newton_step)).toBeGreaterThan(1e-6);
  });

  it('damping: larger δ shrinks every directional step', () => {
    const a = bruteForceCurvature({ ...base, damping: 0.1 });
    const b = bruteForceCurvature({ ...base, damping: 10 });
    const ea = a.intermediates.groups[0].eigenvectors;
    a.groups[0].eigvals.forEach((_, k) => {
      const sa = Math.abs(dot(ea[k], a.newton_step));
      const sb = Math.abs(dot(ea[k], b.newton_step));
      expect(sb).toBeLessThan(sa);
    });
  });
});
