// Fully connected layer: y = x W + b, with W stored [in, out] (PyTorch: weight [out, in]).

import type { LayerSpec } from '../../protocol/definition';
import { LayerShapeError, formatShape } from '../shape-error';
import { requirePositiveInt } from './geometry';
import { pytorchDefaultInit } from './init';
import type { LayerModule, ParamSpec } from './layer';

type LinearSpec = Extract<LayerSpec, { type: 'linear' }>;

export const linear: LayerModule<LinearSpec> = {
  type: 'linear',
  create(spec, inShape, place) {
    const nIn = requirePositiveInt(spec.in, place, 'in');
    const nOut = requirePositiveInt(spec.out, place, 'out');
    if (inShape.length !== 1) {
      const hint = inShape.length === 3 ? '; add a flatten before it' : '';
      throw new LayerShapeError(
        place.index,
        `linear needs [features] but gets ${formatShape(inShape)} ${place.source}${hint}`,
      );
    }
    if (nIn !== inShape[0]) {
      throw new LayerShapeError(
        place.index,
        `${nIn} does not match the ${inShape[0]} features ${place.source}`,
        'in',
      );
    }
    const bias = spec.bias !== false;
    const params: ParamSpec[] = [
      { name: 'weight', shape: [nIn, nOut], torchShape: [nOut, nIn], toEngine: [1, 0] },
    ];
    if (bias) params.push({ name: 'bias', shape: [nOut], torchShape: [nOut], toEngine: [0] });

    return {
      spec,
      inShape: [nIn],
      outShape: [nOut],
      params,
      initTorch: (rng) => pytorchDefaultInit(rng, nIn, nIn * nOut, bias, nOut),

      forward(ops, [w, b], x) {
        const xw = ops.matMul(x, w);
        return { out: bias ? ops.add(xw, b) : xw, cache: { x } };
      },

      backward(ops, [w], cache, dy, needInputGrad) {
        // dW = xᵀ dy, db = Σ_n dy, dx = dy Wᵀ
        const dparams = [ops.matMul(cache.x, dy, true, false)];
        if (bias) dparams.push(ops.sum(dy, [0]));
        return {
          dparams,
          dx: needInputGrad ? ops.matMul(dy, w, false, true) : undefined,
        };
      },
    };
  },
};
