// Flatten to [features] in PyTorch's order: an image's features are C-major (c, h, w), so
// the weights of a following linear layer index features exactly as in PyTorch even though
// images are NHWC inside the engine.

import type { Ops } from '../tensor/ops';
import type { LayerModule } from './layer';
import { emptyCache, noParams } from './layer';
import { engineShape } from './layout';
import { foldStack, stackDims, unfoldStack } from './stack';

export const flatten: LayerModule = {
  type: 'flatten',
  create(spec, inShape) {
    const features = inShape.reduce((a, b) => a * b, 1);
    // Images with one channel (or one pixel) are already in C-major order in NHWC.
    const image = inShape.length === 3 && inShape[0] > 1 && inShape[1] * inShape[2] > 1;
    /** Gradient w.r.t. the input for any batch of output gradients [B, features]. */
    const inputGrad = <T>(ops: Ops<T>, dy: T): T => {
      const n = ops.shape(dy)[0];
      if (!image) return ops.reshape(dy, [n, ...engineShape(inShape)]);
      const nchw = ops.reshape(dy, [n, ...inShape]);
      return ops.transpose(nchw, [0, 2, 3, 1]);
    };
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
      backward: (ops, _params, _cache, dy) => ({ dx: inputGrad(ops, dy), dparams: [] }),
      jacTMatProd(ops, _params, _cache, v, samples) {
        const d = stackDims(ops, v, [features], samples, null, 'flatten.jacTMatProd');
        return unfoldStack(ops, inputGrad(ops, foldStack(ops, v, d)), d.m, d.n);
      },
    };
  },
};
