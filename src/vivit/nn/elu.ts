// ELU: x where x > 0, else alpha (e^x - 1); derivative 1, else alpha e^x (from the saved
// e^x rather than output + alpha, which cancels badly for very negative x).

import type { LayerSpec } from '../../protocol/definition';
import { elementwise } from './elementwise';

export const elu = elementwise<Extract<LayerSpec, { type: 'elu' }>>({
  type: 'elu',
  numberFields: ['alpha'],
  forward(ops, x, { alpha }) {
    const positive = ops.stepMask(x, 0);
    // `where` selects, so exp overflowing on large positive x never reaches the output.
    const expX = ops.exp(x);
    const out = ops.where(positive, x, ops.scale(ops.addScalar(expX, -1), alpha));
    return { out, cache: { positive, expX } };
  },
  // `where` again: the overflowed e^x of a positive x never multiplies v.
  timesDerivative: (ops, { positive, expX }, v, { alpha }) =>
    ops.where(positive, v, ops.mul(v, ops.scale(expX, alpha))),
});
