// `Ops` on plain Float64Array: the curvature engine's exact float64 mode (tfjs has no float64).
// Synchronous, allocation-per-op, garbage-collected: tidy/dispose/keep have nothing to do.
// The op bodies live in ./float64/, one file per family; this module only wires them up.

import type { Ops, Shape } from './ops';
import { Float64Tensor, checkShape, fmt, sizeOf } from './float64/tensor';
import { mapBinary, mapUnary, sigmoid, where } from './float64/elementwise';
import { argMax, logSumExp, max, softmax, sum } from './float64/reduce';
import { concat, gather, oneHot, pad, reshape, slice, transpose } from './float64/layout';
import { matMul } from './float64/matmul';
import { gramBlock } from './float64/gram-block';
import {
  avgPool,
  avgPoolInputGrad,
  conv2d,
  conv2dInputGrad,
  conv2dWeightGrad,
  maxPool,
  maxPoolInputGrad,
  unfold,
} from './float64/images';

export { Float64Tensor } from './float64/tensor';

function filled(shape: Shape, value: number, op: string): Float64Tensor {
  checkShape(shape, op);
  return new Float64Tensor(new Float64Array(sizeOf(shape)).fill(value), shape);
}

/** The float64 ops, with the interface's optional fast paths guaranteed present. */
export type Float64Ops = Ops<Float64Tensor> &
  Required<Pick<Ops<Float64Tensor>, 'conv2dWeightGrad'>>;

export const float64Ops: Float64Ops = {
  kind: 'float64',

  fromArray(data, shape) {
    checkShape(shape, 'fromArray');
    if (data.length !== sizeOf(shape)) {
      throw new Error(
        `fromArray: ${data.length} values do not fill shape ${fmt(shape)} (${sizeOf(shape)} elements)`,
      );
    }
    return new Float64Tensor(Float64Array.from(data), shape);
  },
  zeros: (shape) => filled(shape, 0, 'zeros'),
  fill: (shape, value) => filled(shape, value, 'fill'),
  shape: (t) => [...t.shape],
  asFloat: (t) => t,
  toArray: (t) => t.data.slice(),
  read: (t) => Promise.resolve(t.data.slice()),
  item(t) {
    if (t.size !== 1) throw new Error(`item: tensor of shape ${fmt(t.shape)} is not a scalar`);
    return t.data[0];
  },

  tidy: (fn) => fn(),
  dispose: () => {},
  keep: (t) => t,

  add: (a, b) => mapBinary(a, b, (x, y) => x + y, 'add'),
  sub: (a, b) => mapBinary(a, b, (x, y) => x - y, 'sub'),
  mul: (a, b) => mapBinary(a, b, (x, y) => x * y, 'mul'),
  div: (a, b) => mapBinary(a, b, (x, y) => x / y, 'div'),
  scale: (a, s) => mapUnary(a, (x) => x * s),
  addScalar: (a, s) => mapUnary(a, (x) => x + s),
  axpby: (a, alpha, b, beta) => mapBinary(a, b, (x, y) => alpha * x + beta * y, 'axpby'),
  neg: (a) => mapUnary(a, (x) => -x),
  exp: (a) => mapUnary(a, Math.exp),
  log: (a) => mapUnary(a, Math.log),
  sqrt: (a) => mapUnary(a, Math.sqrt),
  square: (a) => mapUnary(a, (x) => x * x),
  abs: (a) => mapUnary(a, Math.abs),
  maximum: (a, b) => mapBinary(a, b, (x, y) => (x >= y || x !== x ? x : y), 'maximum'),
  relu: (a) => mapUnary(a, (x) => (x > 0 ? x : x !== x ? x : 0)),
  sigmoid: (a) => mapUnary(a, sigmoid),
  tanh: (a) => mapUnary(a, Math.tanh),
  stepMask: (a, threshold) => mapUnary(a, (x) => (x > threshold ? 1 : 0)),
  mulStepMask: (v, x, threshold) =>
    mapBinary(v, x, (a, b) => a * (b > threshold ? 1 : 0), 'mulStepMask'),
  where,
  gramBlock,

  sum,
  max,
  argMax,
  logSumExp,
  softmax,

  reshape,
  transpose,
  slice,
  concat,
  pad,
  gather,
  oneHot,

  matMul,
  matMulBias: (x, w, bias) => mapBinary(matMul(x, w), bias, (a, b) => a + b, 'matMulBias'),

  conv2d,
  conv2dInputGrad,
  conv2dWeightGrad,
  unfold,
  maxPool,
  maxPoolInputGrad,
  avgPool,
  avgPoolInputGrad,
};
