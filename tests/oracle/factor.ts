// The ViViT factor V of one group, built from the oracle's dense Jacobians, so engine tests can
// check V-space results (Gram matrix G̃ = VᵀV, Vᵀg_n). V is not unique: any S_n with
// S_n S_nᵀ = H_n gives a valid factor (the engine may use BackPACK's form for cross-entropy);
// quantities such as the nontrivial eigenvalues of G̃ do not depend on that choice.

import type { OracleOutput } from './curvature';
import { symmetricSqrt } from './jacobi';

export interface GroupFactor {
  /** Columns v_{nc} = J_nᵀ s_{nc} / √|S|, each over the group's coordinates. */
  columns: Float64Array[];
  /** (sample index into the case batch, factor column c) for each column, n-major. */
  labels: Array<{ sample: number; c: number }>;
}

/**
 * V for group `groupIndex`, columns ordered n-major over ggnSamples then factor column c.
 * sqrtFactor(n, H) returns S (C×R row-major, R columns) with S Sᵀ = H; the default is the
 * symmetric square root for exact GGNs and the drawn MC vectors when mc_samples > 0.
 */
export function groupFactor(
  out: OracleOutput,
  groupIndex: number,
  sqrtFactor?: (sample: number, hessian: Float64Array) => { S: Float64Array; R: number },
): GroupFactor {
  const im = out.intermediates;
  const { C, D } = im;
  const coords = im.groups[groupIndex].coords;
  const scale = 1 / Math.sqrt(im.ggnSamples.length);
  const columns: Float64Array[] = [];
  const labels: GroupFactor['labels'] = [];
  im.ggnSamples.forEach((n, k) => {
    let S: Float64Array;
    let R: number;
    if (sqrtFactor) ({ S, R } = sqrtFactor(n, im.ggnOutputHessians[k]));
    else if (im.mcFactors) {
      const f = im.mcFactors[k];
      R = f.length;
      S = new Float64Array(C * R);
      f.forEach((s, r) => s.forEach((v, c) => (S[c * R + r] = v)));
    } else {
      R = C;
      S = symmetricSqrt(im.ggnOutputHessians[k], C);
    }
    const J = im.jacobians[n];
    for (let r = 0; r < R; r++) {
      const v = new Float64Array(coords.length);
      coords.forEach((i, a) => {
        let acc = 0;
        for (let c = 0; c < C; c++) acc += J[c * D + i] * S[c * R + r];
        v[a] = scale * acc;
      });
      columns.push(v);
      labels.push({ sample: n, c: r });
    }
  });
  return { columns, labels };
}

/** G̃ = VᵀV (m×m row-major, m = number of columns). */
export function gramOf(factor: GroupFactor): Float64Array {
  const m = factor.columns.length;
  const G = new Float64Array(m * m);
  for (let a = 0; a < m; a++) {
    for (let b = 0; b < m; b++) {
      let s = 0;
      const u = factor.columns[a];
      const v = factor.columns[b];
      for (let i = 0; i < u.length; i++) s += u[i] * v[i];
      G[a * m + b] = s;
    }
  }
  return G;
}

/** Vᵀ x for x over the group's coordinates. */
export function factorTransposeTimes(factor: GroupFactor, x: ArrayLike<number>): Float64Array {
  return Float64Array.from(factor.columns, (v) => v.reduce((s, vi, i) => s + vi * x[i], 0));
}

/** The group's coordinates of a flat-θ vector (e.g. a per-sample gradient g_n). */
export function restrictToGroup(
  out: OracleOutput,
  groupIndex: number,
  x: ArrayLike<number>,
): Float64Array {
  return Float64Array.from(out.intermediates.groups[groupIndex].coords, (i) => x[i]);
}
