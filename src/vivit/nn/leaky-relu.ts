// Leaky ReLU: x where x > 0, else negative_slope * x (PyTorch: the slope also applies at 0).

import type { LayerSpec } from '../../protocol/definition';
import { elementwise } from './elementwise';

export const leakyRelu = elementwise<Extract<LayerSpec, { type: 'leaky_relu' }>>({
  type: 'leaky_relu',
  numberFields: ['negative_slope'],
  forward(ops, x, { negative_slope: slope }) {
    const positive = ops.stepMask(x, 0);
    return { out: ops.where(positive, x, ops.scale(x, slope)), cache: { positive } };
  },
  timesDerivative: (ops, { positive }, v, { negative_slope: slope }) =>
    ops.where(positive, v, ops.scale(v, slope)),
});
