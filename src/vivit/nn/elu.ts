// ELU: x where x > 0, else alpha (e^x - 1); derivative 1, else alpha e^x (from the saved
// e^x rather than output + alpha, which cancels badly for very negative x).

import type { LayerSpec } from '../../protocol/definition';
import { LayerShapeError } from '../shape-error';
import type { LayerModule } from './layer';
import { noParams } from './layer';
import { engineShape } from './layout';
import { cachedRows, stackDims } from './stack';

type EluSpec = Extract<LayerSpec, { type: 'elu' }>;

export const elu: LayerModule<EluSpec> = {
  type: 'elu',
  create(spec, inShape, place) {
    const alpha = spec.alpha;
    if (typeof alpha !== 'number' || !Number.isFinite(alpha)) {
      throw new LayerShapeError(
        place.index,
        `must be a finite number, got ${String(alpha)}`,
        'alpha',
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
        // `where` selects, so exp overflowing on large positive x never reaches the output.
        const expX = ops.exp(x);
        const out = ops.where(positive, x, ops.scale(ops.addScalar(expX, -1), alpha));
        return { out, cache: { positive, expX } };
      },
      backward: (ops, _params, cache, dy) => ({
        dx: ops.where(cache.positive, dy, ops.mul(dy, ops.scale(cache.expX, alpha))),
        dparams: [],
      }),
      jacTMatProd(ops, _params, cache, v, samples) {
        stackDims(ops, v, perSample, samples, ops.shape(cache.positive)[0], 'elu.jacTMatProd');
        // [N_s, ...] derivative pieces broadcast over the stack's M vectors.
        const positive = cachedRows(ops, cache.positive, samples);
        const negativeSlope = ops.scale(cachedRows(ops, cache.expX, samples), alpha);
        return ops.where(positive, v, ops.mul(v, negativeSlope));
      },
    };
  },
};
