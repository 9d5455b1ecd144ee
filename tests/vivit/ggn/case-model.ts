// Test helper: an oracle curvature case (PyTorch layouts, docs/curvature-case.md) as
// an engine model and batch on either Ops, plus comparison helpers. Deliberately small and
// independent of src/vivit/interop (the CLI's importer), so the engine is checked on its own.

import { expect } from 'vitest';
import type { LayerSpec } from '../../../src/protocol/definition';
import type {
  CurvatureBatch,
  CurvatureModel,
  CurvatureOptions,
} from '../../../src/vivit/curvature';
import { Network } from '../../../src/vivit/nn/network';
import type { Ops } from '../../../src/vivit/tensor/ops';
import type { CurvatureCase, LayerSpec as CaseLayer } from '../../oracle';

/** The case's model list in the engine's (normalized) layer specs. */
export function engineLayers(model: readonly CaseLayer[]): LayerSpec[] {
  return model.map((l): LayerSpec => {
    switch (l.type) {
      case 'linear':
        return { type: 'linear', in: l.in, out: l.out, bias: l.bias ?? true };
      case 'conv2d':
        return {
          type: 'conv2d',
          in_channels: l.in_channels,
          out_channels: l.out_channels,
          kernel_size: l.kernel_size,
          stride: l.stride ?? 1,
          padding: l.padding ?? 0,
          bias: l.bias ?? true,
        };
      case 'maxpool2d':
      case 'avgpool2d':
        return {
          type: l.type,
          kernel_size: l.kernel_size,
          stride: l.stride ?? l.kernel_size,
          padding: l.padding ?? 0,
        };
      case 'zeropad2d':
        return { type: 'zeropad2d', padding: l.padding };
      case 'leaky_relu':
        return { type: 'leaky_relu', negative_slope: l.negative_slope ?? 0.01 };
      case 'elu':
        return { type: 'elu', alpha: l.alpha ?? 1 };
      default:
        return { type: l.type };
    }
  });
}

export interface CaseModel<T> {
  model: CurvatureModel<T>;
  batch: CurvatureBatch<T>;
  network: Network;
}

export function caseModel<T>(ops: Ops<T>, c: CurvatureCase): CaseModel<T> {
  const network = new Network(engineLayers(c.model), c.input.shape.slice(1));
  const params = network.paramsFromTorch(
    ops,
    c.params.map((p) => p.data),
  );
  return {
    network,
    model: { ops, network, params, loss: c.loss },
    batch: {
      x: ops.fromArray(c.input.data, c.input.shape),
      y: ops.fromArray(c.target.data, c.target.shape),
    },
  };
}

/** The engine options equivalent to a case's fields. */
export function caseOptions(c: CurvatureCase): Omit<CurvatureOptions, 'quantities'> {
  return {
    groups: c.param_groups ?? null,
    subsampling: c.subsampling ?? null,
    subsamplingGrad: c.subsampling_grad ?? null,
    mcSamples: c.mc_samples ?? 0,
    seed: c.seed ?? 0,
    damping: c.damping ?? 1,
    eigRtol: c.eig_rtol ?? 1e-10,
    eigenvectorCount: c.n_eigvecs ?? 3,
  };
}

/** Largest |a − b| over max |b| (arrays of equal length; b must not be all zeros). */
export function relErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let diff = 0;
  let ref = 0;
  for (let i = 0; i < b.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    ref = Math.max(ref, Math.abs(b[i]));
  }
  expect(ref, 'reference is all zeros: the comparison would be vacuous').toBeGreaterThan(0);
  return diff / ref;
}

/** Concatenation of arrays. */
export function flat(parts: readonly ArrayLike<number>[]): Float64Array {
  const out = new Float64Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(Array.from(p), o);
    o += p.length;
  }
  return out;
}

/** Rows [N][K] of a row-major matrix as one array. */
export function rowsOf(rows: readonly ArrayLike<number>[]): Float64Array {
  return flat(rows);
}

/** Directions whose eigenvalue is separated from its neighbours by at least `gap` · λ_max
 *  (only those have a well-defined eigenvector, hence γ_nk, λ_nk). */
export function separated(eigvals: readonly number[], gap = 1e-6): boolean[] {
  const max = eigvals[0] ?? 0;
  return eigvals.map((v, k) => {
    const prev = k > 0 ? eigvals[k - 1] - v : Infinity;
    const next = k + 1 < eigvals.length ? v - eigvals[k + 1] : Infinity;
    return Math.min(prev, next) >= gap * max;
  });
}

/** Groups of direction indices whose eigenvalues are closer than `gap` · λ_max (clusters of
 *  size one are the separated directions). */
export function clusters(eigvals: readonly number[], gap = 1e-6): number[][] {
  const out: number[][] = [];
  eigvals.forEach((v, k) => {
    if (k > 0 && eigvals[k - 1] - v < gap * eigvals[0]) out[out.length - 1].push(k);
    else out.push([k]);
  });
  return out;
}

/**
 * Relative error of per-sample directional quantities [rows, K] (row-major): separated
 * directions column by column; within a cluster of equal eigenvalues (where single eigenvectors
 * are not defined) the basis-independent per-row sums Σ_k f(x_nk) — f = square for γ (the
 * squared norm of g_n's projection on the eigenspace), identity for λ (the trace of G_n on it).
 */
export function directionalErr(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  eigvals: readonly number[],
  f: (x: number) => number,
): number {
  const k = eigvals.length;
  expect(a.length).toBe(b.length);
  const rows = b.length / k;
  let diff = 0;
  let ref = 0;
  for (const cluster of clusters(eigvals)) {
    for (let r = 0; r < rows; r++) {
      if (cluster.length === 1) {
        const i = r * k + cluster[0];
        diff = Math.max(diff, Math.abs(a[i] - b[i]));
        ref = Math.max(ref, Math.abs(b[i]));
      } else {
        let sa = 0;
        let sb = 0;
        for (const c of cluster) {
          sa += f(a[r * k + c]);
          sb += f(b[r * k + c]);
        }
        diff = Math.max(diff, Math.abs(sa - sb));
        ref = Math.max(ref, Math.abs(sb));
      }
    }
  }
  expect(ref, 'reference is all zeros: the comparison would be vacuous').toBeGreaterThan(0);
  return diff / ref;
}

export interface OracleErrors {
  loss: number;
  gradient: number;
  eigenvalues: number;
  gammas: number;
  lambdas: number;
  eigenvectors: number;
  newtonStep: number;
}

/**
 * Relative errors of an engine result against the oracle output for the same case, per
 * quantity (max over groups). Eigenvectors are compared on separated directions only, γ and
 * λ by `directionalErr`.
 */
export function oracleErrors(
  r: import('../../../src/vivit/curvature').CurvatureResult,
  o: import('../../oracle').CurvatureResult,
): OracleErrors {
  const e: OracleErrors = {
    loss: Math.abs(r.loss - o.loss) / Math.abs(o.loss),
    gradient: relErr(flat(r.gradient), o.gradient),
    eigenvalues: 0,
    gammas: 0,
    lambdas: 0,
    eigenvectors: 0,
    newtonStep: r.newtonStep ? relErr(flat(r.newtonStep), o.newton_step) : 0,
  };
  expect(r.groups.length).toBe(o.groups.length);
  r.groups.forEach((g, gi) => {
    const og = o.groups[gi];
    expect(g.params).toEqual(og.param_indices);
    expect(g.eigenvalues.length).toBe(og.eigvals.length);
    const k = og.eigvals.length;
    e.eigenvalues = Math.max(e.eigenvalues, relErr(g.eigenvalues, og.eigvals));
    const mask = separated(og.eigvals);
    if (g.gammas) {
      expect([g.gammas.rows, g.gammas.cols]).toEqual([og.gammas.length, k]);
      const err = directionalErr(g.gammas.data, rowsOf(og.gammas), og.eigvals, (x) => x * x);
      e.gammas = Math.max(e.gammas, err);
    }
    if (g.lambdas) {
      expect([g.lambdas.rows, g.lambdas.cols]).toEqual([og.lambdas.length, k]);
      const err = directionalErr(g.lambdas.data, rowsOf(og.lambdas), og.eigvals, (x) => x);
      e.lambdas = Math.max(e.lambdas, err);
    }
    if (g.eigenvectors) {
      expect(g.eigenvectors.map((v) => v.index)).toEqual(og.eigvecs_top.map((_, i) => i));
      g.eigenvectors.forEach((v, i) => {
        if (!mask[i]) return;
        e.eigenvectors = Math.max(e.eigenvectors, relErr(flat(v.parameters), og.eigvecs_top[i]));
      });
    }
    if (g.newtonStep) {
      e.newtonStep = Math.max(e.newtonStep, relErr(flat(g.newtonStep.parameters), og.newton_step));
    }
  });
  return e;
}

/** Running maxima of errors, for a summary line in the test output. */
export function maxErrors(list: readonly OracleErrors[]): OracleErrors {
  const keys = [
    'loss',
    'gradient',
    'eigenvalues',
    'gammas',
    'lambdas',
    'eigenvectors',
    'newtonStep',
  ] as const;
  const out = {
    loss: 0,
    gradient: 0,
    eigenvalues: 0,
    gammas: 0,
    lambdas: 0,
    eigenvectors: 0,
    newtonStep: 0,
  };
  for (const e of list) for (const key of keys) out[key] = Math.max(out[key], e[key]);
  return out;
}

export function formatErrors(e: OracleErrors): string {
  return Object.entries(e)
    .map(([k, v]) => `${k} ${v.toExponential(1)}`)
    .join(', ');
}
