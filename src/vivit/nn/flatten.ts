// Flatten to [features] in PyTorch's order: an image's features are C-major (c, h, w), so
// the weights of a following linear layer index features exactly as in PyTorch even though
// images are NHWC inside the engine.

import type { LayerModule } from './layer';
import { emptyCache, noParams } from './layer';
import { engineShape } from './layout';

export const flatten: LayerModule = {
  type: 'flatten',
  create(spec, inShape) {
    const features = inShape.reduce((a, b) => a * b, 1);
    // Images with one channel (or one pixel) are already in C-major order in NHWC.
    const image = inShape.length === 3 && inShape[0] > 1 && inShape[1] * inShape[2] > 1;
    return {
      spec,
      inShape: [...inShape],
      outShape: [features],
      ...noParams,
      forward(ops, _params, x) {
        const n = ops.shape(x)[0];
        const chw = image ? ops.transpose(x, [0, 3, 1, 2]) : x; // NHWC -> NCHW
        return { out: ops.reshape(chw, [n, features]), cache: emptyCache };
      },
      backward(ops, _params, _cache, dy) {
        const n = ops.shape(dy)[0];
        if (!image) return { dx: ops.reshape(dy, [n, ...engineShape(inShape)]), dparams: [] };
        const nchw = ops.reshape(dy, [n, ...inShape]);
        return { dx: ops.transpose(nchw, [0, 2, 3, 1]), dparams: [] };
      },
    };
  },
};
