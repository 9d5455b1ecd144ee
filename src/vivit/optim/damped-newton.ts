// Damped Newton steps in the GGN's nontrivial eigenspace (paper Eq. 9 without the flat part,
// §4.2 "directional damping"):
//   Δθ = lr · Σ_k −γ̄_k / (λ̄_k + δ_k) · e_k
// over the kept directions (Gram eigenvalue > eig_threshold, at most top_k per group); nothing
// moves in the complement. γ̄_k, λ̄_k are the means of the per-sample γ_nk, λ_nk, and δ_k comes
// from a damping policy (constant, or the bootstrap over γ_nk, λ_nk).
//
// ONE curvature pass per step: computeCurvature calls our DampingPolicy between the spectrum
// (γ, λ known) and the lift, which assembles the whole sum in Gram space and maps it through V
// once. The optimizer does not touch parameters itself: it returns the update and a report, so
// it runs on any Ops (the trainer's float32 tfjs, or float64 in tests and the bench).

import type { DampedNewtonSpec } from '../../protocol/definition';
import {
  computeCurvature,
  type CurvatureBatch,
  type CurvatureModel,
  type CurvatureResult,
  type DampingPolicy,
  type DirectionStatistics,
} from '../curvature';
import { layerwiseGroups } from '../ggn/groups';
import type { Matrix } from '../quantities/matrix';
import { Rng } from '../random';
import { dampingPolicy, type DirectionalDamping } from './damping/index';

/** What one step did along the kept directions (groups one after another). */
export interface DampedNewtonReport {
  groupSizes: number[];
  lambdaMean: number[];
  /** Signs: e_k oriented so that γ̄_k ≥ 0 (so every step length is ≤ 0). */
  gammaMean: number[];
  /** δ_k; Infinity = no step along e_k. */
  damping: number[];
  /** lr · τ_k, τ_k = −γ̄_k / (λ̄_k + δ_k). */
  stepLength: number[];
  /** Σ_k (γ̄_k s_k + ½ λ̄_k s_k²) with s_k = stepLength[k]: the change the quadratic model
   *  (block-diagonal over parameter groups) predicts for the batch loss. */
  predictedChange: number;
}

export interface DampedNewtonUpdate {
  /** lr · Σ_k τ_k e_k per parameter (network.params order), PyTorch layout. */
  update: Float64Array[];
  report: DampedNewtonReport;
  /** The engine's result at the parameters before the update (its loss, gradient, timings). */
  curvature: CurvatureResult;
}

export interface DampedNewton {
  readonly spec: DampedNewtonSpec;
  /** Steps computed so far. */
  readonly steps: number;
  /**
   * The step at the model's current parameters on `batch` (PyTorch layout, as computeCurvature
   * takes it). One curvature pass; the parameters are left as they are. `dropoutRng` fixes the
   * dropout masks of that pass (default: a stream of the optimizer's seed).
   */
  direction<T>(
    model: CurvatureModel<T>,
    batch: CurvatureBatch<T>,
    dropoutRng?: Rng,
  ): Promise<DampedNewtonUpdate>;
}

/** Per-group statistics the policy saw, kept for the report. */
interface GroupSeen {
  kept: number;
  gammaMean: Float64Array;
  lambdaMean: Float64Array;
}

export function createDampedNewton(spec: DampedNewtonSpec, seed: number): DampedNewton {
  checkSpec(spec);
  const damping: DirectionalDamping = dampingPolicy(
    spec.damping,
    new Rng(seed, 'damped-newton-bootstrap'),
  );
  const mcSeeds = new Rng(seed, 'damped-newton-mc');
  const dropoutSeeds = new Rng(seed, 'damped-newton-dropout');
  let steps = 0;

  return {
    spec,
    get steps() {
      return steps;
    },

    async direction(model, batch, dropoutRng) {
      const { ops, network } = model;
      const n = ops.shape(batch.x)[0];
      const sub = spec.curvature.subsampling;
      const seen: GroupSeen[] = [];

      const policy: DampingPolicy = (stats: DirectionStatistics) => {
        const k = stats.eigenvalues.length;
        // Eigenvalues are descending: the kept directions are a prefix.
        let kept = 0;
        while (kept < k && stats.eigenvalues[kept] > spec.eig_threshold) kept++;
        const delta = new Float64Array(k).fill(Infinity);
        if (kept > 0) {
          const chosen = damping(
            leadingColumns(stats.gammas, kept),
            leadingColumns(stats.lambdas, kept),
          );
          delta.set(chosen.subarray(0, kept));
        }
        seen[stats.group] = {
          kept,
          gammaMean: stats.gammaMean.slice(0, kept),
          lambdaMean: stats.lambdaMean.slice(0, kept),
        };
        return delta;
      };

      const curvature = await computeCurvature(model, batch, {
        quantities: ['newtonStep'],
        groups: spec.curvature.groups === 'per_layer' ? layerwiseGroups(network) : null,
        subsampling: sub !== undefined && sub < n ? range(sub) : null,
        mcSamples: spec.curvature.mc_samples,
        seed: mcSeeds.nextUint32(),
        dropoutRng: dropoutRng ?? new Rng(dropoutSeeds.nextUint32(), 'dropout'),
        ...(spec.top_k !== undefined ? { topK: spec.top_k } : {}),
        damping: policy,
        signs: 'gradient',
      });
      steps++;

      const report: DampedNewtonReport = {
        groupSizes: [],
        lambdaMean: [],
        gammaMean: [],
        damping: [],
        stepLength: [],
        predictedChange: 0,
      };
      curvature.groups.forEach((group, g) => {
        const s = seen[g];
        const step = group.newtonStep;
        if (!s || !step) throw new Error(`damped Newton: no step for parameter group ${g}`);
        report.groupSizes.push(s.kept);
        for (let k = 0; k < s.kept; k++) {
          const length = spec.lr * step.stepLengths[k];
          const gamma = s.gammaMean[k];
          const lambda = s.lambdaMean[k];
          report.gammaMean.push(gamma);
          report.lambdaMean.push(lambda);
          report.damping.push(step.damping[k]);
          report.stepLength.push(length);
          report.predictedChange += gamma * length + 0.5 * lambda * length * length;
        }
      });
      const update = (curvature.newtonStep ?? []).map((p) =>
        Float64Array.from(p, (v) => spec.lr * v),
      );
      return { update, report, curvature };
    },
  };
}

/** The first `k` columns of a row-major matrix (the matrix itself when that is all of it). */
function leadingColumns(m: Matrix, k: number): Matrix {
  if (k === m.cols) return m;
  const data = new Float64Array(m.rows * k);
  for (let r = 0; r < m.rows; r++) data.set(m.data.subarray(r * m.cols, r * m.cols + k), r * k);
  return { rows: m.rows, cols: k, data };
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

/** The engine-side checks of a spec built in code (definitions are validated with messages). */
function checkSpec(spec: DampedNewtonSpec): void {
  const bad = (field: string, why: string) => {
    throw new RangeError(`optimizer.${field} ${why}`);
  };
  if (!(spec.lr > 0 && Number.isFinite(spec.lr))) bad('lr', `must be > 0, got ${spec.lr}`);
  if (!(spec.eig_threshold >= 0)) {
    bad('eig_threshold', `must be >= 0, got ${spec.eig_threshold}`);
  }
  if (spec.top_k !== undefined && !(Number.isInteger(spec.top_k) && spec.top_k >= 1)) {
    bad('top_k', `must be an integer >= 1, got ${spec.top_k}`);
  }
  const { subsampling, mc_samples: mc } = spec.curvature;
  if (subsampling !== undefined && !(Number.isInteger(subsampling) && subsampling >= 1)) {
    bad('curvature.subsampling', `must be an integer >= 1, got ${subsampling}`);
  }
  if (!(Number.isInteger(mc) && mc >= 0)) {
    bad('curvature.mc_samples', `must be an integer >= 0, got ${mc}`);
  }
}
