// 2-d max pooling with -inf padding (PyTorch MaxPool2d; 'same' padding as TensorFlow).
// The gradient goes to the first maximum of each window (row-major order), as in PyTorch.

import type { LayerSpec } from '../../protocol/definition';
import { poolMemory, requireImage, resolveWindow } from './geometry';
import type { LayerModule } from './layer';
import { noParams } from './layer';
import { cachedRows, foldStack, repeatRows, stackDims, unfoldStack } from './stack';

type PoolSpec = Extract<LayerSpec, { type: 'maxpool2d' | 'avgpool2d' }>;

export const maxpool2d: LayerModule<PoolSpec> = {
  type: 'maxpool2d',
  create(spec, inShape, place) {
    const [c, h, w] = requireImage(inShape, place, 'maxpool2d');
    const { win, outH, outW } = resolveWindow(spec, h, w, place, { maxPadHalfKernel: true });
    return {
      spec,
      inShape: [c, h, w],
      outShape: [c, outH, outW],
      ...noParams,
      memory: poolMemory(win, [c, outH, outW]),
      forward(ops, _params, x) {
        const { out, argmax } = ops.maxPool(x, win);
        return { out, cache: { argmax } };
      },
      backward(ops, _params, cache, dy) {
        const n = ops.shape(dy)[0];
        return { dx: ops.maxPoolInputGrad(dy, cache.argmax, [n, h, w, c]), dparams: [] };
      },
      jacTMatProd(ops, _params, cache, v, samples) {
        const cachedN = ops.shape(cache.argmax)[0];
        const d = stackDims(ops, v, [outH, outW, c], samples, cachedN, 'maxpool2d.jacTMatProd');
        // The routing (argmax) of the stack's samples, once per vector: rows m·N_s + n.
        const argmax = repeatRows(ops, cachedRows(ops, cache.argmax, samples), d.m);
        const b = d.m * d.n;
        const dx = ops.maxPoolInputGrad(foldStack(ops, v, d), argmax, [b, h, w, c]);
        return unfoldStack(ops, dx, d.m, d.n);
      },
    };
  },
};
