// 2-d average pooling. Explicit padding counts in the divisor (PyTorch's default,
// count_include_pad=True); 'same' padding does not (TensorFlow/Keras semantics, so that
// imported Keras models compute what they computed there).

import type { LayerSpec } from '../../protocol/definition';
import type { Ops, Window2d } from '../tensor/ops';
import { poolMemory, requireImage, resolveWindow } from './geometry';
import type { LayerModule } from './layer';
import { emptyCache, noParams } from './layer';
import { foldStack, stackDims, unfoldStack } from './stack';

type PoolSpec = Extract<LayerSpec, { type: 'maxpool2d' | 'avgpool2d' }>;

/** Per output position: window area / number of non-padding elements in the window. */
function excludePaddingScale(win: Window2d, h: number, w: number, outH: number, outW: number) {
  const [kh, kw] = win.kernel;
  const [sh, sw] = win.stride;
  const [pt, , pl] = win.pad;
  const overlap = (start: number, k: number, size: number) =>
    Math.min(start + k, size) - Math.max(start, 0);
  const scale = new Float64Array(outH * outW);
  for (let y = 0; y < outH; y++) {
    for (let x = 0; x < outW; x++) {
      const count = overlap(y * sh - pt, kh, h) * overlap(x * sw - pl, kw, w);
      scale[y * outW + x] = (kh * kw) / count;
    }
  }
  return scale;
}

export const avgpool2d: LayerModule<PoolSpec> = {
  type: 'avgpool2d',
  create(spec, inShape, place) {
    const [c, h, w] = requireImage(inShape, place, 'avgpool2d');
    const { win, outH, outW } = resolveWindow(spec, h, w, place, { maxPadHalfKernel: true });
    const padded = win.pad.some((p) => p > 0);
    const scale =
      spec.padding === 'same' && padded ? excludePaddingScale(win, h, w, outH, outW) : null;
    /** Gradient w.r.t. the input for any batch of output gradients [B, outH, outW, C]. */
    const inputGrad = <T>(ops: Ops<T>, dy: T): T => {
      const n = ops.shape(dy)[0];
      const g = scale ? ops.mul(dy, ops.fromArray(scale, [1, outH, outW, 1])) : dy;
      return ops.avgPoolInputGrad(g, [n, h, w, c], win);
    };
    return {
      spec,
      inShape: [c, h, w],
      outShape: [c, outH, outW],
      ...noParams,
      memory: poolMemory(win, [c, outH, outW]),
      forward(ops, _params, x) {
        const mean = ops.avgPool(x, win);
        return {
          out: scale ? ops.mul(mean, ops.fromArray(scale, [1, outH, outW, 1])) : mean,
          cache: emptyCache,
        };
      },
      backward: (ops, _params, _cache, dy) => ({ dx: inputGrad(ops, dy), dparams: [] }),
      jacTMatProd(ops, _params, _cache, v, samples) {
        const d = stackDims(ops, v, [outH, outW, c], samples, null, 'avgpool2d.jacTMatProd');
        return unfoldStack(ops, inputGrad(ops, foldStack(ops, v, d)), d.m, d.n);
      },
    };
  },
};
