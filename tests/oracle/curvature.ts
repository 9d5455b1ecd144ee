// Brute-force ViViT quantities for one curvature case, by the definitions of the paper (§2,
// Eqs. 1–8) on dense float64 matrices:
//   J_n from dual numbers; ℓ_n, ∇_f ℓ_n, H_n in closed form (loss.ts);
//   g_n = J_nᵀ ∇_f ℓ_n,  g = (1/N) Σ_{all n} g_n;
//   G_n = J_nᵀ H_n J_n,  G = (1/|S|) Σ_{n∈S} G_n  (S = subsampling, H_n sampled if mc_samples > 0);
//   per parameter group, the diagonal block of G, eigendecomposed by cyclic Jacobi;
//   nontrivial λ_k > eig_rtol · max λ;  γ_nk = e_kᵀ g_n (n ∈ subsampling_grad);
//   λ_nk = e_kᵀ G_n e_k (n ∈ S);  newton step Σ_k −γ̄_k / (λ̄_k + δ) e_k with column means.
// No shortcuts through the Gram matrix: the dense G is the point of an oracle.

import { fixSign, jacobiEigen } from './jacobi';
import { flattenParams, jacobianDual, outputOf } from './jacobian';
import { outerSum, sampleLoss, sampleMcFactors, type LossName } from './loss';
import { CaseError, planNetwork, product, type NetworkPlan } from './network';
import { OracleRng } from './rng';
import type { CurvatureCase, CurvatureResult, GroupResult, TensorJson } from './types';

/** Defaults for fields the case omits (the shared examples omit eig_rtol and n_eigvecs). */
export const CASE_DEFAULTS = {
  damping: 1,
  eig_rtol: 1e-10,
  n_eigvecs: 3,
  mc_samples: 0,
  seed: 0,
} as const;

export interface GroupIntermediates {
  paramIndices: number[];
  /** Flat θ indices of this group, in order (group params ascending, each row-major). */
  coords: number[];
  /** The GGN block, |coords|² row-major. */
  ggn: Float64Array;
  /** Every eigenvalue of the block, descending (trivial ones included). */
  eigenvalues: Float64Array;
  /** Unit eigenvectors for `eigenvalues`, each sign-fixed (largest |entry| positive). */
  eigenvectors: Float64Array[];
  /** Number of nontrivial eigenvalues. */
  K: number;
  /** γ_nk rows over gradSamples, λ_nk rows over ggnSamples (as numbers, K columns). */
  gammas: Float64Array[];
  lambdas: Float64Array[];
  gammaMeans: Float64Array;
  lambdaMeans: Float64Array;
  newtonStep: Float64Array;
}

export interface OracleIntermediates {
  plan: NetworkPlan;
  N: number;
  C: number;
  D: number;
  paramOffsets: number[];
  /** f_n for every sample. */
  outputs: Float64Array[];
  /** ℓ_n for every sample. */
  sampleLosses: number[];
  /** ∇_f ℓ_n for every sample. */
  outputGradients: Float64Array[];
  /** Exact ∇²_f ℓ_n (C×C) for every sample. */
  outputHessians: Float64Array[];
  /** J_n (C×D) for every sample. */
  jacobians: Float64Array[];
  /** g_n (D) for every sample. */
  sampleGradients: Float64Array[];
  /** Indices used for the GGN (S) and for the directional gradients. */
  ggnSamples: number[];
  gradSamples: number[];
  /** Per entry of ggnSamples: the output-Hessian used (exact, or Σ_m s sᵀ for MC). */
  ggnOutputHessians: Float64Array[];
  /** Per entry of ggnSamples when mc_samples > 0: the M factors (each scaled by 1/√M). */
  mcFactors: Float64Array[][] | null;
  /** Per entry of ggnSamples: G_n = J_nᵀ H_n J_n (D×D, full, all parameters). */
  sampleGGNs: Float64Array[];
  /** G = mean of sampleGGNs (D×D, full; the groups use its diagonal blocks). */
  ggn: Float64Array;
  groups: GroupIntermediates[];
}

export interface OracleOutput extends CurvatureResult {
  intermediates: OracleIntermediates;
}

export interface OracleOptions {
  /** Seed for MC draws; defaults to case.seed. */
  mcSeed?: number;
}

/** The result part only, as a JSON-ready object in the format's shape. */
export function resultOnly(out: OracleOutput): CurvatureResult {
  return {
    loss: out.loss,
    gradient: out.gradient,
    newton_step: out.newton_step,
    groups: out.groups,
  };
}

function tensorData(t: TensorJson | undefined, where: string): Float64Array {
  if (!t || !Array.isArray(t.shape) || !Array.isArray(t.data))
    throw new CaseError(where, 'expected {shape, data}');
  if (t.data.length !== product(t.shape)) {
    throw new CaseError(
      where,
      `data has ${t.data.length} entries but shape [${t.shape.join(', ')}] needs ${product(t.shape)}`,
    );
  }
  const data = Float64Array.from(t.data);
  const bad = data.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) throw new CaseError(`${where}.data[${bad}]`, 'is not a finite number');
  return data;
}

function sampleIndices(list: number[] | null | undefined, N: number, where: string): number[] {
  if (list === null || list === undefined) return Array.from({ length: N }, (_, i) => i);
  if (!Array.isArray(list) || list.length === 0)
    throw new CaseError(where, 'must be null or a non-empty list of sample indices');
  list.forEach((i, k) => {
    if (!Number.isInteger(i) || i < 0 || i >= N)
      throw new CaseError(`${where}[${k}]`, `${i} is not a sample index in [0, ${N})`);
  });
  return list.slice();
}

function groupsOf(groups: number[][] | null | undefined, nParams: number): number[][] {
  if (groups === null || groups === undefined)
    return [Array.from({ length: nParams }, (_, i) => i)];
  if (!Array.isArray(groups) || groups.length === 0)
    throw new CaseError('param_groups', 'must be null or a non-empty list of lists');
  const seen = new Set<number>();
  return groups.map((g, gi) => {
    if (!Array.isArray(g) || g.length === 0)
      throw new CaseError(`param_groups[${gi}]`, 'must be a non-empty list of param indices');
    g.forEach((i, k) => {
      if (!Number.isInteger(i) || i < 0 || i >= nParams)
        throw new CaseError(
          `param_groups[${gi}][${k}]`,
          `${i} is not an index into params (0..${nParams - 1})`,
        );
      if (seen.has(i))
        throw new CaseError(
          `param_groups[${gi}][${k}]`,
          `param ${i} appears in more than one place`,
        );
      seen.add(i);
    });
    // Flat over the group's parameters in case order.
    return g.slice().sort((a, b) => a - b);
  });
}

/** Computes every ViViT quantity of the case by brute force, with the dense intermediates. */
export function bruteForceCurvature(c: CurvatureCase, options: OracleOptions = {}): OracleOutput {
  if (c.reduction !== undefined && c.reduction !== 'mean')
    throw new CaseError(
      'reduction',
      `only "mean" is supported, got ${JSON.stringify(c.reduction)}`,
    );
  if (c.loss !== 'cross_entropy' && c.loss !== 'mse')
    throw new CaseError('loss', `expected "cross_entropy" or "mse", got ${JSON.stringify(c.loss)}`);
  const loss: LossName = c.loss;
  const damping = c.damping ?? CASE_DEFAULTS.damping;
  const rtol = c.eig_rtol ?? CASE_DEFAULTS.eig_rtol;
  const nEigvecs = c.n_eigvecs ?? CASE_DEFAULTS.n_eigvecs;
  const M = c.mc_samples ?? CASE_DEFAULTS.mc_samples;
  if (!Number.isInteger(M) || M < 0)
    throw new CaseError('mc_samples', `expected an integer >= 0, got ${M}`);
  if (!Number.isInteger(nEigvecs) || nEigvecs < 0)
    throw new CaseError('n_eigvecs', `expected an integer >= 0, got ${nEigvecs}`);

  const input = tensorData(c.input, 'input');
  const N = c.input.shape[0];
  const sampleShape = c.input.shape.slice(1);
  const plan = planNetwork(c.model, sampleShape);
  const C = plan.outputSize;
  if (!Array.isArray(c.params) || c.params.length !== plan.paramShapes.length) {
    throw new CaseError(
      'params',
      `the model needs ${plan.paramShapes.length} tensors, the case has ${c.params?.length}`,
    );
  }
  const tensors = c.params.map((p, i) => {
    const want = plan.paramShapes[i];
    if (JSON.stringify(p.shape) !== JSON.stringify(want)) {
      throw new CaseError(
        `params[${i}].shape`,
        `is [${p.shape}] but the model expects [${want.join(', ')}]`,
      );
    }
    return tensorData(p, `params[${i}]`);
  });
  const flat = flattenParams(tensors);
  const D = flat.size;

  const targetData = tensorData(c.target, 'target');
  const targetOf = (n: number): Float64Array => {
    if (loss === 'cross_entropy') {
      if (JSON.stringify(c.target.shape) !== JSON.stringify([N]))
        throw new CaseError('target.shape', `cross_entropy needs class indices of shape [${N}]`);
      const y = targetData[n];
      if (!Number.isInteger(y) || y < 0 || y >= C)
        throw new CaseError(`target.data[${n}]`, `${y} is not a class index in [0, ${C})`);
      return Float64Array.of(y);
    }
    if (JSON.stringify(c.target.shape) !== JSON.stringify([N, C]))
      throw new CaseError('target.shape', `mse needs targets of shape [${N}, ${C}]`);
    return targetData.slice(n * C, (n + 1) * C);
  };

  // Per-sample forward, closed-form loss derivatives, dual-number Jacobian, gradient.
  const sampleSize = product(sampleShape);
  const outputs: Float64Array[] = [];
  const sampleLosses: number[] = [];
  const outputGradients: Float64Array[] = [];
  const outputHessians: Float64Array[] = [];
  const jacobians: Float64Array[] = [];
  const sampleGradients: Float64Array[] = [];
  for (let n = 0; n < N; n++) {
    const x = input.subarray(n * sampleSize, (n + 1) * sampleSize);
    const f = outputOf(plan, tensors, x);
    const l = sampleLoss(loss, f, targetOf(n));
    const J = jacobianDual(plan, flat, x);
    outputs.push(f);
    sampleLosses.push(l.value);
    outputGradients.push(l.grad);
    outputHessians.push(l.hessian);
    jacobians.push(J);
    sampleGradients.push(transposeTimes(J, l.grad, C, D));
  }
  const lossValue = sampleLosses.reduce((a, b) => a + b, 0) / N;
  const gradient = new Float64Array(D);
  for (const g of sampleGradients) for (let i = 0; i < D; i++) gradient[i] += g[i] / N;

  // GGN over S, with exact or MC output Hessians.
  const ggnSamples = sampleIndices(c.subsampling, N, 'subsampling');
  const gradSamples = sampleIndices(c.subsampling_grad, N, 'subsampling_grad');
  const rng = new OracleRng(options.mcSeed ?? c.seed ?? CASE_DEFAULTS.seed, 0x4d43);
  const mcFactors = M > 0 ? ggnSamples.map((n) => sampleMcFactors(loss, outputs[n], M, rng)) : null;
  const ggnOutputHessians = ggnSamples.map((n, k) =>
    mcFactors ? outerSum(mcFactors[k], C) : outputHessians[n],
  );
  const sampleGGNs = ggnSamples.map((n, k) => sandwich(jacobians[n], ggnOutputHessians[k], C, D));
  const ggn = new Float64Array(D * D);
  for (const Gn of sampleGGNs) for (let i = 0; i < D * D; i++) ggn[i] += Gn[i] / ggnSamples.length;

  const groupIntermediates = groupsOf(c.param_groups, tensors.length).map((paramIndices) => {
    const coords = paramIndices.flatMap((p) =>
      Array.from({ length: tensors[p].length }, (_, e) => flat.offsets[p] + e),
    );
    return groupQuantities(paramIndices, coords, {
      ggn,
      D,
      sampleGGNs,
      gradRows: gradSamples.map((n) => sampleGradients[n]),
      rtol,
      damping,
    });
  });

  const newtonStep = new Float64Array(D);
  for (const g of groupIntermediates) g.coords.forEach((i, k) => (newtonStep[i] = g.newtonStep[k]));

  const groups: GroupResult[] = groupIntermediates.map((g) => ({
    param_indices: g.paramIndices.slice(),
    eigvals: Array.from(g.eigenvalues.subarray(0, g.K)),
    eigvecs_top: g.eigenvectors.slice(0, Math.min(nEigvecs, g.K)).map((v) => Array.from(v)),
    gammas: g.gammas.map((r) => Array.from(r)),
    lambdas: g.lambdas.map((r) => Array.from(r)),
    newton_step: Array.from(g.newtonStep),
  }));

  return {
    loss: lossValue,
    gradient: Array.from(gradient),
    newton_step: Array.from(newtonStep),
    groups,
    intermediates: {
      plan,
      N,
      C,
      D,
      paramOffsets: flat.offsets,
      outputs,
      sampleLosses,
      outputGradients,
      outputHessians,
      jacobians,
      sampleGradients,
      ggnSamples,
      gradSamples,
      ggnOutputHessians,
      mcFactors,
      sampleGGNs,
      ggn,
      groups: groupIntermediates,
    },
  };
}

interface GroupInputs {
  ggn: Float64Array;
  D: number;
  sampleGGNs: Float64Array[];
  gradRows: Float64Array[];
  rtol: number;
  damping: number;
}

function groupQuantities(
  paramIndices: number[],
  coords: number[],
  inp: GroupInputs,
): GroupIntermediates {
  const d = coords.length;
  const block = (A: Float64Array): Float64Array => {
    const B = new Float64Array(d * d);
    for (let a = 0; a < d; a++)
      for (let b = 0; b < d; b++) B[a * d + b] = A[coords[a] * inp.D + coords[b]];
    return B;
  };
  const G = block(inp.ggn);
  const { values, vectors } = jacobiEigen(G, d);
  vectors.forEach(fixSign);
  const max = values.length > 0 ? values[0] : 0;
  let K = 0;
  if (max > 0) while (K < values.length && values[K] > inp.rtol * max) K++;
  const E = vectors.slice(0, K);

  const gammas = inp.gradRows.map((gn) =>
    Float64Array.from(E, (e) => coords.reduce((s, i, a) => s + e[a] * gn[i], 0)),
  );
  const lambdas = inp.sampleGGNs.map((Gn) => {
    const B = block(Gn);
    return Float64Array.from(E, (e) => quadForm(B, e, d));
  });
  const mean = (rows: Float64Array[]): Float64Array => {
    const m = new Float64Array(K);
    for (const r of rows) for (let k = 0; k < K; k++) m[k] += r[k] / rows.length;
    return m;
  };
  const gammaMeans = mean(gammas);
  const lambdaMeans = mean(lambdas);
  const newtonStep = new Float64Array(d);
  for (let k = 0; k < K; k++) {
    const coef = -gammaMeans[k] / (lambdaMeans[k] + inp.damping);
    for (let a = 0; a < d; a++) newtonStep[a] += coef * E[k][a];
  }
  return {
    paramIndices,
    coords,
    ggn: G,
    eigenvalues: values,
    eigenvectors: vectors,
    K,
    gammas,
    lambdas,
    gammaMeans,
    lambdaMeans,
    newtonStep,
  };
}

/** Jᵀ v for J (C×D row-major). */
export function transposeTimes(
  J: Float64Array,
  v: ArrayLike<number>,
  C: number,
  D: number,
): Float64Array {
  const out = new Float64Array(D);
  for (let c = 0; c < C; c++) for (let i = 0; i < D; i++) out[i] += J[c * D + i] * v[c];
  return out;
}

/** Jᵀ H J for J (C×D) and H (C×C). */
export function sandwich(J: Float64Array, H: Float64Array, C: number, D: number): Float64Array {
  const HJ = new Float64Array(C * D);
  for (let a = 0; a < C; a++)
    for (let b = 0; b < C; b++) {
      const h = H[a * C + b];
      if (h !== 0) for (let i = 0; i < D; i++) HJ[a * D + i] += h * J[b * D + i];
    }
  const out = new Float64Array(D * D);
  for (let a = 0; a < C; a++)
    for (let i = 0; i < D; i++) {
      const jai = J[a * D + i];
      if (jai !== 0) for (let j = 0; j < D; j++) out[i * D + j] += jai * HJ[a * D + j];
    }
  return out;
}

/** eᵀ A e. */
export function quadForm(A: Float64Array, e: ArrayLike<number>, d: number): number {
  let s = 0;
  for (let a = 0; a < d; a++) {
    let row = 0;
    for (let b = 0; b < d; b++) row += A[a * d + b] * e[b];
    s += e[a] * row;
  }
  return s;
}
