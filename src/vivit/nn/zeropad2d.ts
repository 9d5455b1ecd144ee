// Zero padding of images; padding is [left, right, top, bottom] as in PyTorch's ZeroPad2d.

import type { LayerSpec } from '../../protocol/definition';
import { LayerShapeError } from '../shape-error';
import { requireImage } from './geometry';
import type { LayerModule } from './layer';
import { emptyCache, noParams } from './layer';

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
    return {
      spec,
      inShape: [c, h, w],
      outShape: [c, h + top + bottom, w + left + right],
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
      backward(ops, _params, _cache, dy) {
        const n = ops.shape(dy)[0];
        return { dx: ops.slice(dy, [0, top, left, 0], [n, h, w, c]), dparams: [] };
      },
    };
  },
};
