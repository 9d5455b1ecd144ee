// Dropout (PyTorch semantics): in training, each element is kept with probability 1 - p and
// scaled by 1 / (1 - p); in evaluation it is the identity. The mask is drawn from the run's
// seeded stream once per forward pass and saved, so the backward pass (and any curvature
// computed on the same step) sees the same mask.

import type { LayerSpec } from '../../protocol/definition';
import { LayerShapeError } from '../errors';
import type { LayerModule } from './layer';
import { emptyCache, noParams } from './layer';
import { engineShape } from './layout';
import { cachedRows, stackDims } from './stack';

type DropoutSpec = Extract<LayerSpec, { type: 'dropout' }>;

export const dropout: LayerModule<DropoutSpec> = {
  type: 'dropout',
  create(spec, inShape, place) {
    const p = spec.p;
    if (typeof p !== 'number' || !(p >= 0 && p <= 1)) {
      throw new LayerShapeError(
        place.index,
        `must be a probability in [0, 1], got ${String(p)}`,
        'p',
      );
    }
    const perSample = engineShape(inShape);
    const size = inShape.reduce((a, b) => a * b, 1);
    const keepScale = p < 1 ? 1 / (1 - p) : 0;
    return {
      spec,
      inShape: [...inShape],
      outShape: [...inShape],
      ...noParams,
      forward(ops, _params, x, ctx) {
        if (!ctx.training || p === 0) return { out: x, cache: emptyCache };
        if (!ctx.rng) throw new Error('dropout in training mode needs a random stream (ctx.rng)');
        const n = ops.shape(x)[0];
        const mask = new Float32Array(n * size);
        for (let i = 0; i < mask.length; i++) mask[i] = ctx.rng.next() >= p ? keepScale : 0;
        const maskT = ops.fromArray(mask, [n, ...perSample]);
        return { out: ops.mul(x, maskT), cache: { mask: maskT } };
      },
      backward(ops, _params, cache, dy) {
        return { dx: cache.mask ? ops.mul(dy, cache.mask) : dy, dparams: [] };
      },
      jacTMatProd(ops, _params, cache, v, samples) {
        // No mask: evaluation mode or p = 0, where dropout is the identity.
        const mask = 'mask' in cache ? cache.mask : null;
        const cachedN = mask ? ops.shape(mask)[0] : null;
        stackDims(ops, v, perSample, samples, cachedN, 'dropout.jacTMatProd');
        // The forward's mask (the same one the gradient saw), broadcast over M.
        return mask ? ops.mul(v, cachedRows(ops, mask, samples)) : v;
      },
    };
  },
};
