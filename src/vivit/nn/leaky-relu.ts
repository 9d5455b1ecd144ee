// Leaky ReLU: x where x > 0, else negative_slope * x (PyTorch: the slope also applies at 0).

import type { LayerSpec } from '../../protocol/definition';
import { LayerShapeError } from '../shape-error';
import type { LayerModule } from './layer';
import { noParams } from './layer';
import { engineShape } from './layout';
import { cachedRows, stackDims } from './stack';

type LeakyReluSpec = Extract<LayerSpec, { type: 'leaky_relu' }>;

export const leakyRelu: LayerModule<LeakyReluSpec> = {
  type: 'leaky_relu',
  create(spec, inShape, place) {
    const slope = spec.negative_slope;
    if (typeof slope !== 'number' || !Number.isFinite(slope)) {
      throw new LayerShapeError(
        place.index,
        `must be a finite number, got ${String(slope)}`,
        'negative_slope',
      );
    }
    const perSample = engineShape(inShape);
    return {
      spec,
      inShape: [...inShape],
      outShape: [...inShape],
      ...noParams,
      forward(ops, _params, x) {
        const positive = ops.stepMask(x, 0);
        return { out: ops.where(positive, x, ops.scale(x, slope)), cache: { positive } };
      },
      backward: (ops, _params, cache, dy) => ({
        dx: ops.where(cache.positive, dy, ops.scale(dy, slope)),
        dparams: [],
      }),
      jacTMatProd(ops, _params, cache, v, samples) {
        const where = 'leaky_relu.jacTMatProd';
        stackDims(ops, v, perSample, samples, ops.shape(cache.positive)[0], where);
        // The [N_s, ...] mask broadcasts over the stack's M vectors.
        const positive = cachedRows(ops, cache.positive, samples);
        return ops.where(positive, v, ops.scale(v, slope));
      },
    };
  },
};
