// Zero padding of images; padding is [left, right, top, bottom] as in PyTorch's ZeroPad2d.

import type { LayerSpec } from '../../protocol/definition';
import { LayerShapeError } from '../errors';
import type { Ops } from '../tensor/ops';
import { requireImage } from './geometry';
import type { LayerModule } from './layer';
import { emptyCache, noParams } from './layer';
import { engineShape } from './layout';
import { foldStack, stackDims, unfoldStack } from './stack';

type ZeroPadSpec = Extract<LayerSpec, { type: 'zeropad2d' }>;

export const zeropad2d: LayerModule<ZeroPadSpec> = {
  type: 'zeropad2d',
  create(spec, inShape, place) {
    const [c, h, w] = requireImage(inShape, place, 'zeropad2d');
    const p: unknown = spec.padding;
    if (
      !Array.isArray(p) ||
      p.length !== 4 ||
      !p.every((v) => typeof v === 'number' && Number.isInteger(v) && v >= 0)
    ) {
      throw new LayerShapeError(
        place.index,
        `must be [left, right, top, bottom] with non-negative integers, got ${JSON.stringify(p)}`,
        'padding',
      );
    }
    const [left, right, top, bottom] = p as number[];
    const outShape = [c, h + top + bottom, w + left + right];
    /** Gradient w.r.t. the input for any batch of output gradients. */
    const inputGrad = <T>(ops: Ops<T>, dy: T): T =>
      ops.slice(dy, [0, top, left, 0], [ops.shape(dy)[0], h, w, c]);
    return {
      spec,
      inShape: [c, h, w],
      outShape,
      ...noParams,
      forward: (ops, _params, x) => ({
        out: ops.pad(x, [
          [0, 0],
          [top, bottom],
          [left, right],
          [0, 0],
        ]),
        cache: emptyCache,
      }),
      backward: (ops, _params, _cache, dy) => ({ dx: inputGrad(ops, dy), dparams: [] }),
      jacTMatProd(ops, _params, _cache, v, samples) {
        const perSample = engineShape(outShape);
        const d = stackDims(ops, v, perSample, samples, null, 'zeropad2d.jacTMatProd');
        return unfoldStack(ops, inputGrad(ops, foldStack(ops, v, d)), d.m, d.n);
      },
    };
  },
};
