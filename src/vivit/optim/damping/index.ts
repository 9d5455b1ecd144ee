// Damping policies for the damped Newton optimizer: a run definition's DampingSpec -> a function
// from per-sample directional derivatives γ [N_γ, K], λ [N_λ, K] to δ_k for the K directions.

import type { DampingSpec } from '../../../protocol/definition';
import type { Matrix } from '../../quantities/matrix';
import type { Rng } from '../../random';
import { bootstrapDamping, logGrid, type BootstrapOptions } from './bootstrap';
import { constantDamping } from './constant';

export type DirectionalDamping = (gammas: Matrix, lambdas: Matrix) => Float64Array;

/** The policy of `spec`; the bootstrap draws its resamples from `rng` (call after call). */
export function dampingPolicy(spec: DampingSpec, rng: Rng): DirectionalDamping {
  switch (spec.type) {
    case 'constant':
      return (gammas) => constantDamping(spec.value, gammas);
    case 'bootstrap': {
      const options: BootstrapOptions = {
        grid: logGrid(spec.grid.min, spec.grid.max, spec.grid.count),
        resamples: spec.resamples,
        quantile: spec.quantile,
        variant: spec.variant,
      };
      return (gammas, lambdas) => bootstrapDamping(gammas, lambdas, options, rng).damping;
    }
    default:
      throw new Error(`unknown damping '${String((spec as { type: unknown }).type)}'`);
  }
}

export { constantDamping } from './constant';
export {
  bootstrapDamping,
  bootstrapLowerBounds,
  checkBootstrapOptions,
  chooseDamping,
  DEFAULT_BOOTSTRAP,
  defaultBootstrapOptions,
  drawResamples,
  logGrid,
  type BootstrapOptions,
  type BootstrapVariant,
  type DampingChoice,
  type Resamples,
} from './bootstrap';
export { quantile, quantileInPlace } from './quantile';
