// Reductions over axes (sum, max), and the axis-wise ops argMax, logSumExp, softmax.

import {
  Float64Tensor,
  aroundAxis,
  normalizeAxis,
  sizeOf,
  stridedOffsets,
  stridesOf,
} from './tensor';

/** Normalized, deduplicated reduction axes; undefined means all axes. */
function reductionAxes(rank: number, axes: number[] | undefined, op: string): boolean[] {
  const reduced = new Array<boolean>(rank).fill(axes === undefined);
  for (const a of axes ?? []) {
    const d = normalizeAxis(a, rank, op);
    if (reduced[d]) throw new Error(`${op}: axis ${a} is listed twice`);
    reduced[d] = true;
  }
  return reduced;
}

/**
 * Shared driver for sum/max: `combine(acc, x)` folds every input element into its output slot,
 * whose offset comes from output strides with 0 on the reduced axes.
 */
function reduce(
  a: Float64Tensor,
  axes: number[] | undefined,
  keepDims: boolean,
  init: number,
  combine: (acc: number, x: number) => number,
  op: string,
): Float64Tensor {
  const reduced = reductionAxes(a.rank, axes, op);
  const keptShape = a.shape.map((n, d) => (reduced[d] ? 1 : n));
  const keptStrides = stridesOf(keptShape).map((s, d) => (reduced[d] ? 0 : s));
  const outShape = keepDims ? keptShape : a.shape.filter((_, d) => !reduced[d]);
  const out = new Float64Array(sizeOf(outShape)).fill(init);
  const target = stridedOffsets(a.shape, keptStrides);
  const x = a.data;
  for (let i = 0; i < x.length; i++) out[target[i]] = combine(out[target[i]], x[i]);
  return new Float64Tensor(out, outShape);
}

export function sum(a: Float64Tensor, axes?: number[], keepDims = false): Float64Tensor {
  return reduce(a, axes, keepDims, 0, (acc, x) => acc + x, 'sum');
}

/** NaN propagates (as in NumPy); an empty reduction gives -Infinity. */
export function max(a: Float64Tensor, axes?: number[], keepDims = false): Float64Tensor {
  return reduce(a, axes, keepDims, -Infinity, (acc, x) => (x > acc || x !== x ? x : acc), 'max');
}

function dropAxis(shape: readonly number[], axis: number, keepDims: boolean): number[] {
  return keepDims ? shape.map((n, d) => (d === axis ? 1 : n)) : shape.filter((_, d) => d !== axis);
}

/** First index of the maximum along `axis` (NaN entries are skipped), as floats. */
export function argMax(a: Float64Tensor, axis: number): Float64Tensor {
  const ax = normalizeAxis(axis, a.rank, 'argMax');
  const [outer, len, inner] = aroundAxis(a.shape, ax);
  if (len === 0) throw new Error('argMax: the reduced axis is empty');
  const x = a.data;
  const out = new Float64Array(outer * inner);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * len * inner + i;
      let best = -Infinity;
      let arg = 0;
      let found = false;
      for (let k = 0; k < len; k++) {
        const v = x[base + k * inner];
        if (v !== v) continue;
        if (!found || v > best) {
          best = v;
          arg = k;
          found = true;
        }
      }
      out[o * inner + i] = arg;
    }
  }
  return new Float64Tensor(out, dropAxis(a.shape, ax, false));
}

/** log Σ exp along `axis`, shifted by the maximum so no term overflows. */
export function logSumExp(a: Float64Tensor, axis: number, keepDims = false): Float64Tensor {
  const ax = normalizeAxis(axis, a.rank, 'logSumExp');
  const [outer, len, inner] = aroundAxis(a.shape, ax);
  const x = a.data;
  const out = new Float64Array(outer * inner);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * len * inner + i;
      let m = -Infinity;
      for (let k = 0; k < len; k++) {
        const v = x[base + k * inner];
        if (v > m || v !== v) m = v;
      }
      // ±Infinity or NaN maxima are already the answer (and would give NaN via inf - inf).
      if (!Number.isFinite(m)) {
        out[o * inner + i] = m;
        continue;
      }
      let s = 0;
      for (let k = 0; k < len; k++) s += Math.exp(x[base + k * inner] - m);
      out[o * inner + i] = m + Math.log(s);
    }
  }
  return new Float64Tensor(out, dropAxis(a.shape, ax, keepDims));
}

/** exp(x - max) / Σ exp(x - max) along `axis`. */
export function softmax(a: Float64Tensor, axis: number): Float64Tensor {
  const ax = normalizeAxis(axis, a.rank, 'softmax');
  const [outer, len, inner] = aroundAxis(a.shape, ax);
  const x = a.data;
  const out = new Float64Array(x.length);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * len * inner + i;
      let m = -Infinity;
      for (let k = 0; k < len; k++) {
        const v = x[base + k * inner];
        if (v > m || v !== v) m = v;
      }
      let s = 0;
      for (let k = 0; k < len; k++) {
        const e = Math.exp(x[base + k * inner] - m);
        out[base + k * inner] = e;
        s += e;
      }
      // divide rather than multiply by 1/s: one rounding per entry, not two
      for (let k = 0; k < len; k++) out[base + k * inner] /= s;
    }
  }
  return new Float64Tensor(out, a.shape);
}
