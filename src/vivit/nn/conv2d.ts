// 2-d convolution (cross-correlation, like PyTorch's Conv2d) on NHWC images.
// Weight stored [kh, kw, in, out] (tfjs layout; PyTorch: [out, in, kh, kw]).

import type { LayerSpec } from '../../protocol/definition';
import { LayerShapeError } from '../shape-error';
import { requireImage, requirePositiveInt, resolveWindow } from './geometry';
import { pytorchDefaultInit } from './init';
import type { LayerModule, ParamSpec } from './layer';

type Conv2dSpec = Extract<LayerSpec, { type: 'conv2d' }>;

export const conv2d: LayerModule<Conv2dSpec> = {
  type: 'conv2d',
  create(spec, inShape, place) {
    const cin = requirePositiveInt(spec.in_channels, place, 'in_channels');
    const cout = requirePositiveInt(spec.out_channels, place, 'out_channels');
    const [c, h, w] = requireImage(inShape, place, 'conv2d');
    if (cin !== c) {
      throw new LayerShapeError(
        place.index,
        `${cin} does not match the ${c} channels ${place.source}`,
        'in_channels',
      );
    }
    const { win, outH, outW } = resolveWindow(spec, h, w, place, { maxPadHalfKernel: false });
    const [kh, kw] = win.kernel;
    const bias = spec.bias !== false;
    const params: ParamSpec[] = [
      {
        name: 'weight',
        shape: [kh, kw, cin, cout],
        torchShape: [cout, cin, kh, kw],
        toEngine: [2, 3, 1, 0],
      },
    ];
    if (bias) params.push({ name: 'bias', shape: [cout], torchShape: [cout], toEngine: [0] });
    const fanIn = cin * kh * kw;

    return {
      spec,
      inShape: [c, h, w],
      outShape: [cout, outH, outW],
      params,
      initTorch: (rng) => pytorchDefaultInit(rng, fanIn, fanIn * cout, bias, cout),

      forward(ops, [weight, b], x) {
        const y = ops.conv2d(x, weight, win);
        return { out: bias ? ops.add(y, b) : y, cache: { x } };
      },

      backward(ops, [weight], cache, dy, needInputGrad) {
        const x = cache.x;
        const n = ops.shape(x)[0];
        // dW = Σ_n unfold(x_n)ᵀ dy_n, one product over all samples and positions, unless
        // the backend has a faster route to the same contraction.
        const dw = ops.conv2dWeightGrad
          ? ops.conv2dWeightGrad(x, dy, win)
          : ops.reshape(
              ops.matMul(
                ops.reshape(ops.unfold(x, win), [n * outH * outW, kh * kw * cin]),
                ops.reshape(dy, [n * outH * outW, cout]),
                true,
                false,
              ),
              [kh, kw, cin, cout],
            );
        const dparams = [dw];
        if (bias) dparams.push(ops.sum(dy, [0, 1, 2]));
        return {
          dparams,
          dx: needInputGrad ? ops.conv2dInputGrad(dy, weight, ops.shape(x), win) : undefined,
        };
      },
    };
  },
};
