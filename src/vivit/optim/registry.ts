// OptimizerSpec -> a fresh optimizer.

import type { OptimizerSpec } from '../../protocol/definition';
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
    default:
      throw new Error(`unknown optimizer '${String((spec as { type: unknown }).type)}'`);
  }
}
