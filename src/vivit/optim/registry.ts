// OptimizerSpec -> a fresh optimizer.

import type { DampedNewtonSpec, OptimizerSpec } from '../../protocol/definition';
import type { Ops } from '../tensor/ops';
import { createAdam } from './adam';
import type { Optimizer } from './optimizer';
import { createSgd } from './sgd';

export function createOptimizer<T>(ops: Ops<T>, spec: OptimizerSpec): Optimizer<T> {
  switch (spec.type) {
    case 'sgd':
      return createSgd(ops, spec);
    case 'adam':
      return createAdam(ops, spec);
    case 'damped_newton':
      // Not a gradient-only update: it needs the model and the batch (see isCurvatureOptimizer).
      throw new Error('damped_newton steps from curvature: create it with createDampedNewton');
    default:
      throw new Error(`unknown optimizer '${String((spec as { type: unknown }).type)}'`);
  }
}

/** Optimizers that step from the curvature of the batch (one computeCurvature pass per step)
 *  instead of from the gradient alone. */
export function isCurvatureOptimizer(spec: OptimizerSpec): spec is DampedNewtonSpec {
  return spec.type === 'damped_newton';
}

export { createDampedNewton } from './damped-newton';
export type { DampedNewton, DampedNewtonReport, DampedNewtonUpdate } from './damped-newton';
