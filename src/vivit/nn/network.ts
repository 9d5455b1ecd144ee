// A sequential network: the layers built from a model list, its flat parameter list (in
// PyTorch order: each layer's weight, then its bias), the forward pass keeping each layer's
// cache, and the backward pass through the hand-written layer derivatives.

import type { LayerSpec } from '../../protocol/definition';
import type { Rng } from '../random';
import { checkInputShape } from '../shapes';
import type { Ops } from '../tensor/ops';
import type { Cache, ForwardContext, Layer, ParamSpec } from './layer';
import { inversePermutation, permute } from './layout';
import { createLayer, inputSource } from './registry';

export interface NetworkParam extends ParamSpec {
  /** Index of the owning layer in the model list. */
  layer: number;
}

export interface NetworkForward<T> {
  out: T;
  caches: Cache<T>[];
}

export class Network {
  readonly layers: readonly Layer[];
  readonly inputShape: readonly number[];
  readonly outputShape: readonly number[];
  /** Every parameter, flat, in PyTorch's `model.parameters()` order. */
  readonly params: readonly NetworkParam[];
  readonly parameterCount: number;
  /** params[offsets[i] .. offsets[i+1]) belong to layer i. */
  private readonly offsets: number[];

  constructor(specs: readonly LayerSpec[], inputShape: readonly number[]) {
    checkInputShape(inputShape);
    const layers: Layer[] = [];
    const params: NetworkParam[] = [];
    const offsets = [0];
    let shape = inputShape;
    specs.forEach((spec, index) => {
      const layer = createLayer(spec, shape, { index, source: inputSource(specs, index) });
      layers.push(layer);
      for (const p of layer.params) params.push({ ...p, layer: index });
      offsets.push(params.length);
      shape = layer.outShape;
    });
    this.layers = layers;
    this.inputShape = [...inputShape];
    this.outputShape = [...shape];
    this.params = params;
    this.offsets = offsets;
    this.parameterCount = params.reduce((n, p) => n + p.shape.reduce((a, b) => a * b, 1), 0);
  }

  /** PyTorch-default initial values, PyTorch layout, drawn layer by layer from `rng`. */
  initTorch(rng: Rng): Float64Array[] {
    return this.layers.flatMap((layer) => layer.initTorch(rng));
  }

  /** Parameter tensors (engine layout) from PyTorch-layout arrays. */
  paramsFromTorch<T>(ops: Ops<T>, torchValues: readonly ArrayLike<number>[]): T[] {
    if (torchValues.length !== this.params.length) {
      throw new Error(`expected ${this.params.length} parameter arrays, got ${torchValues.length}`);
    }
    return this.params.map((p, i) =>
      ops.fromArray(permute(torchValues[i], p.torchShape, p.toEngine), p.shape),
    );
  }

  /** PyTorch-layout copies of parameter tensors (engine layout). */
  async paramsToTorch<T>(ops: Ops<T>, params: readonly T[]): Promise<Float64Array[]> {
    return Promise.all(
      this.params.map(async (p, i) =>
        permute(await ops.read(params[i]), p.shape, inversePermutation(p.toEngine)),
      ),
    );
  }

  /** x in engine layout [N, ...]; returns the output and every layer's cache. */
  forward<T>(ops: Ops<T>, params: readonly T[], x: T, ctx: ForwardContext): NetworkForward<T> {
    const caches: Cache<T>[] = [];
    let h = x;
    this.layers.forEach((layer, i) => {
      const { out, cache } = layer.forward(ops, this.layerParams(params, i), h, ctx);
      caches.push(cache);
      h = out;
    });
    return { out: h, caches };
  }

  /** Gradients of the loss w.r.t. every parameter (flat, `params` order), given the
   *  gradient w.r.t. the network output. The input gradient is never computed. */
  backward<T>(ops: Ops<T>, params: readonly T[], caches: readonly Cache<T>[], dOut: T): T[] {
    const grads = new Array<T>(this.params.length);
    let dy = dOut;
    // Below the first layer with parameters nothing needs a gradient (e.g. a leading flatten).
    const first = this.layers.findIndex((layer) => layer.params.length > 0);
    for (let i = this.layers.length - 1; i >= Math.max(first, 0); i--) {
      const needInputGrad = i > first;
      const { dx, dparams } = this.layers[i].backward(
        ops,
        this.layerParams(params, i),
        caches[i],
        dy,
        needInputGrad,
      );
      dparams.forEach((g, k) => (grads[this.offsets[i] + k] = g));
      if (needInputGrad) {
        if (dx === undefined) throw new Error(`model[${i}] returned no input gradient`);
        dy = dx;
      }
    }
    return grads;
  }

  /** The parameters that belong to layer i. */
  layerParams<T>(params: readonly T[], i: number): T[] {
    return params.slice(this.offsets[i], this.offsets[i + 1]);
  }
}
