// Checks one layer against a reference written in plain tfjs ops in PyTorch layout (NCHW
// inputs, PyTorch-layout parameters): the forward output, and the hand-written backward
// (input and parameter gradients) against tf.grad of the reference on the cpu backend.
// Comparing in PyTorch layout also checks the NCHW<->NHWC and parameter layout conversions.
import * as tf from '@tensorflow/tfjs';
import { expect } from 'vitest';
import type { LayerSpec } from '../../../src/protocol/definition';
import type { ForwardContext, Layer } from '../../../src/vivit/nn/layer';
import {
  batchToEngine,
  batchToTorch,
  inversePermutation,
  permute,
} from '../../../src/vivit/nn/layout';
import { createLayer } from '../../../src/vivit/nn/registry';
import { Rng } from '../../../src/vivit/random';
import type { Ops } from '../../../src/vivit/tensor/ops';
import { tfjsOps } from '../../../src/vivit/tensor/tfjs-ops';
import { expectClose, randn } from '../helpers';

/** Reference forward: x [N, ...inShape] (PyTorch layout), params in PyTorch layout. */
export type Reference = (x: tf.Tensor, params: tf.Tensor[]) => tf.Tensor;

export interface LayerCase {
  name: string;
  spec: LayerSpec;
  inShape: number[];
  reference: Reference;
  n?: number;
  /** Per-sample output shape the layer must report. */
  outShape?: number[];
  ctx?: ForwardContext;
  tol?: number;
}

export function buildLayer(spec: LayerSpec, inShape: number[]): Layer {
  return createLayer(spec, inShape, { index: 0, source: 'of the input' });
}

/** Parameters as PyTorch-layout tensors: the default init, plus noise so biases are not tiny. */
export function torchParams(layer: Layer, seed: number): tf.Tensor[] {
  const init = layer.initTorch(new Rng(seed, 'init'));
  return init.map((values, i) =>
    tf.add(
      tf.tensor(Float32Array.from(values), layer.params[i].torchShape),
      randn(layer.params[i].torchShape, seed + i, 0.1),
    ),
  );
}

export function toEngineParam(layer: Layer, i: number, t: tf.Tensor): tf.Tensor {
  const p = layer.params[i];
  return tf.tensor(Float32Array.from(permute(t.dataSync(), p.torchShape, p.toEngine)), p.shape);
}

export function toTorchParam(layer: Layer, i: number, t: tf.Tensor): tf.Tensor {
  const p = layer.params[i];
  const data = permute(t.dataSync(), p.shape, inversePermutation(p.toEngine));
  return tf.tensor(Float32Array.from(data), p.torchShape);
}

/** Runs the forward/backward comparison for one case with the given ops (tfjs by default). */
export function checkLayer(c: LayerCase, ops: Ops<tf.Tensor> = tfjsOps, seed = 1): void {
  const n = c.n ?? 2;
  const layer = buildLayer(c.spec, c.inShape);
  const pTorch = torchParams(layer, seed);
  const pEngine = pTorch.map((t, i) => toEngineParam(layer, i, t));
  const x = randn([n, ...c.inShape], seed + 100);
  const ctx = c.ctx ?? { training: false };
  const tol = c.tol ?? 1e-5;

  const expected = c.reference(x, pTorch);
  const { out, cache } = layer.forward(ops, pEngine, batchToEngine(ops, x), ctx);
  const outTorch = batchToTorch(ops, out);
  expect(outTorch.shape).toEqual(expected.shape);
  expect(expected.shape.slice(1)).toEqual(layer.outShape);
  if (c.outShape) expect(layer.outShape).toEqual(c.outShape);
  expectClose(outTorch, expected, tol);

  const dy = randn(expected.shape, seed + 200);
  const { dx, dparams } = layer.backward(ops, pEngine, cache, batchToEngine(ops, dy), true);
  const grads = tf.grads((...args: tf.Tensor[]) =>
    tf.sum(tf.mul(c.reference(args[0], args.slice(1)), dy)),
  )([x, ...pTorch]);
  expect(dx).toBeDefined();
  expectClose(batchToTorch(ops, dx!), grads[0], tol);
  expect(dparams.length).toBe(layer.params.length);
  dparams.forEach((g, i) => {
    expect(g.shape).toEqual(layer.params[i].shape);
    expectClose(toTorchParam(layer, i, g), grads[i + 1], tol);
  });

  // Without the input gradient, parameter gradients are unchanged.
  const noDx = layer.backward(ops, pEngine, cache, batchToEngine(ops, dy), false);
  if (layer.params.length > 0) expect(noDx.dx).toBeUndefined();
  noDx.dparams.forEach((g, i) => expectClose(g, dparams[i], 1e-7));
}

/** NCHW <-> NHWC helpers for references written with tfjs's NHWC image ops. */
export const nhwc = (x: tf.Tensor) => tf.transpose(x, [0, 2, 3, 1]) as tf.Tensor4D;
export const nchw = (x: tf.Tensor) => tf.transpose(x, [0, 3, 1, 2]);
