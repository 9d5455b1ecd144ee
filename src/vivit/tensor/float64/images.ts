// NHWC image ops on float64: convolution and its input gradient, im2col, max and average
// pooling with their input gradients. Output position (oh, ow) reads input rows
// oh·sh − padTop + i (i < kh) and columns ow·sw − padLeft + j (j < kw); positions outside
// the input are padding (zero for conv/avg, −∞ for max, i.e. simply skipped).

import type { Shape, Window2d } from '../ops';
import { Float64Tensor, fmt } from './tensor';

interface Geometry {
  n: number;
  h: number;
  w: number;
  c: number;
  ho: number;
  wo: number;
  kh: number;
  kw: number;
  sh: number;
  sw: number;
  pt: number;
  pl: number;
}

/** Validates the window against an NHWC input shape and derives the output size. */
function geometry(inputShape: Shape, win: Window2d, op: string): Geometry {
  if (inputShape.length !== 4) {
    throw new Error(`${op}: input must be NHWC (rank 4), got shape ${fmt(inputShape)}`);
  }
  const [n, h, w, c] = inputShape;
  const [kh, kw] = win.kernel;
  const [sh, sw] = win.stride;
  const [pt, pb, pl, pr] = win.pad;
  const positive = [kh, kw, sh, sw].every((v) => Number.isInteger(v) && v >= 1);
  const nonNegative = [pt, pb, pl, pr].every((v) => Number.isInteger(v) && v >= 0);
  if (!positive || !nonNegative) {
    throw new Error(
      `${op}: window kernel ${fmt(win.kernel)} stride ${fmt(win.stride)} must be integers >= 1 ` +
        `and pad ${fmt(win.pad)} integers >= 0`,
    );
  }
  const ho = Math.floor((h + pt + pb - kh) / sh) + 1;
  const wo = Math.floor((w + pl + pr - kw) / sw) + 1;
  if (ho < 1 || wo < 1) {
    throw new Error(
      `${op}: kernel ${fmt(win.kernel)} does not fit the padded ${h}x${w} input (pad ${fmt(win.pad)})`,
    );
  }
  return { n, h, w, c, ho, wo, kh, kw, sh, sw, pt, pl };
}

function expectShape(t: Float64Tensor, shape: number[], what: string, op: string): void {
  if (t.rank !== shape.length || t.shape.some((v, d) => v !== shape[d])) {
    throw new Error(`${op}: ${what} has shape ${fmt(t.shape)}, expected ${fmt(shape)}`);
  }
}

function checkWeights(w: Float64Tensor, g: Geometry, op: string): number {
  if (w.rank !== 4 || w.shape[0] !== g.kh || w.shape[1] !== g.kw || w.shape[2] !== g.c) {
    throw new Error(
      `${op}: weights ${fmt(w.shape)} do not match [kh, kw, Cin, Cout] = [${g.kh}, ${g.kw}, ${g.c}, *]`,
    );
  }
  return w.shape[3];
}

export function conv2d(x: Float64Tensor, w: Float64Tensor, win: Window2d): Float64Tensor {
  const g = geometry(x.shape, win, 'conv2d');
  const cout = checkWeights(w, g, 'conv2d');
  const { n, h, w: width, c: cin, ho, wo, kh, kw, sh, sw, pt, pl } = g;
  const xs = x.data;
  const ws = w.data;
  const out = new Float64Array(n * ho * wo * cout);
  for (let b = 0; b < n; b++) {
    for (let oh = 0; oh < ho; oh++) {
      for (let ow = 0; ow < wo; ow++) {
        const o = ((b * ho + oh) * wo + ow) * cout;
        for (let i = 0; i < kh; i++) {
          const r = oh * sh - pt + i;
          if (r < 0 || r >= h) continue;
          for (let j = 0; j < kw; j++) {
            const s = ow * sw - pl + j;
            if (s < 0 || s >= width) continue;
            const xi = ((b * h + r) * width + s) * cin;
            const wi = (i * kw + j) * cin * cout;
            for (let ci = 0; ci < cin; ci++) {
              const v = xs[xi + ci];
              const row = wi + ci * cout;
              for (let co = 0; co < cout; co++) out[o + co] += v * ws[row + co];
            }
          }
        }
      }
    }
  }
  return new Float64Tensor(out, [n, ho, wo, cout]);
}

export function conv2dInputGrad(
  dy: Float64Tensor,
  w: Float64Tensor,
  inputShape: Shape,
  win: Window2d,
): Float64Tensor {
  const g = geometry(inputShape, win, 'conv2dInputGrad');
  const cout = checkWeights(w, g, 'conv2dInputGrad');
  const { n, h, w: width, c: cin, ho, wo, kh, kw, sh, sw, pt, pl } = g;
  expectShape(dy, [n, ho, wo, cout], 'dy', 'conv2dInputGrad');
  const ds = dy.data;
  const ws = w.data;
  const dx = new Float64Array(n * h * width * cin);
  for (let b = 0; b < n; b++) {
    for (let oh = 0; oh < ho; oh++) {
      for (let ow = 0; ow < wo; ow++) {
        const o = ((b * ho + oh) * wo + ow) * cout;
        for (let i = 0; i < kh; i++) {
          const r = oh * sh - pt + i;
          if (r < 0 || r >= h) continue;
          for (let j = 0; j < kw; j++) {
            const s = ow * sw - pl + j;
            if (s < 0 || s >= width) continue;
            const xi = ((b * h + r) * width + s) * cin;
            const wi = (i * kw + j) * cin * cout;
            for (let ci = 0; ci < cin; ci++) {
              const row = wi + ci * cout;
              let acc = 0;
              for (let co = 0; co < cout; co++) acc += ds[o + co] * ws[row + co];
              dx[xi + ci] += acc;
            }
          }
        }
      }
    }
  }
  return new Float64Tensor(dx, [n, h, width, cin]);
}

/**
 * Gradient of conv2d w.r.t. its weights, summed over the batch: the unfold·dy contraction done
 * in place, without materializing the [N, Ho·Wo, kh·kw·Cin] patch matrix.
 */
export function conv2dWeightGrad(
  x: Float64Tensor,
  dy: Float64Tensor,
  win: Window2d,
): Float64Tensor {
  const {
    n,
    h,
    w: width,
    c: cin,
    ho,
    wo,
    kh,
    kw,
    sh,
    sw,
    pt,
    pl,
  } = geometry(x.shape, win, 'conv2dWeightGrad');
  if (dy.rank !== 4) {
    throw new Error(`conv2dWeightGrad: dy must be NHWC (rank 4), got shape ${fmt(dy.shape)}`);
  }
  const cout = dy.shape[3];
  expectShape(dy, [n, ho, wo, cout], 'dy', 'conv2dWeightGrad');
  const xs = x.data;
  const ds = dy.data;
  const dw = new Float64Array(kh * kw * cin * cout);
  for (let b = 0; b < n; b++) {
    for (let oh = 0; oh < ho; oh++) {
      for (let ow = 0; ow < wo; ow++) {
        const o = ((b * ho + oh) * wo + ow) * cout;
        for (let i = 0; i < kh; i++) {
          const r = oh * sh - pt + i;
          if (r < 0 || r >= h) continue;
          for (let j = 0; j < kw; j++) {
            const s = ow * sw - pl + j;
            if (s < 0 || s >= width) continue;
            const xi = ((b * h + r) * width + s) * cin;
            const wi = (i * kw + j) * cin * cout;
            for (let ci = 0; ci < cin; ci++) {
              const v = xs[xi + ci];
              const row = wi + ci * cout;
              for (let co = 0; co < cout; co++) dw[row + co] += v * ds[o + co];
            }
          }
        }
      }
    }
  }
  return new Float64Tensor(dw, [kh, kw, cin, cout]);
}

export function unfold(x: Float64Tensor, win: Window2d): Float64Tensor {
  const { n, h, w, c, ho, wo, kh, kw, sh, sw, pt, pl } = geometry(x.shape, win, 'unfold');
  const patch = kh * kw * c;
  const xs = x.data;
  const out = new Float64Array(n * ho * wo * patch); // padding stays zero
  for (let b = 0; b < n; b++) {
    for (let oh = 0; oh < ho; oh++) {
      for (let ow = 0; ow < wo; ow++) {
        const o = ((b * ho + oh) * wo + ow) * patch;
        for (let i = 0; i < kh; i++) {
          const r = oh * sh - pt + i;
          if (r < 0 || r >= h) continue;
          for (let j = 0; j < kw; j++) {
            const s = ow * sw - pl + j;
            if (s < 0 || s >= w) continue;
            const xi = ((b * h + r) * w + s) * c;
            out.set(xs.subarray(xi, xi + c), o + (i * kw + j) * c);
          }
        }
      }
    }
  }
  return new Float64Tensor(out, [n, ho * wo, patch]);
}

/**
 * Max over each window, ignoring padding. The first maximum in row-major window order wins
 * ties; NaN wins over numbers. A window lying wholly in padding yields -Infinity and argmax -1,
 * which the gradient skips.
 */
export function maxPool(
  x: Float64Tensor,
  win: Window2d,
): { out: Float64Tensor; argmax: Float64Tensor } {
  const { n, h, w, c, ho, wo, kh, kw, sh, sw, pt, pl } = geometry(x.shape, win, 'maxPool');
  const xs = x.data;
  const out = new Float64Array(n * ho * wo * c).fill(-Infinity);
  const arg = new Float64Array(out.length).fill(-1);
  for (let b = 0; b < n; b++) {
    for (let oh = 0; oh < ho; oh++) {
      for (let ow = 0; ow < wo; ow++) {
        const o = ((b * ho + oh) * wo + ow) * c;
        for (let i = 0; i < kh; i++) {
          const r = oh * sh - pt + i;
          if (r < 0 || r >= h) continue;
          for (let j = 0; j < kw; j++) {
            const s = ow * sw - pl + j;
            if (s < 0 || s >= w) continue;
            const plane = r * w + s;
            const xi = (b * h * w + plane) * c;
            for (let ch = 0; ch < c; ch++) {
              const v = xs[xi + ch];
              const best = out[o + ch];
              if (arg[o + ch] < 0 || v > best || (v !== v && best === best)) {
                out[o + ch] = v;
                arg[o + ch] = plane;
              }
            }
          }
        }
      }
    }
  }
  const shape = [n, ho, wo, c];
  return { out: new Float64Tensor(out, shape), argmax: new Float64Tensor(arg, shape) };
}

export function maxPoolInputGrad(
  dy: Float64Tensor,
  argmax: Float64Tensor,
  inputShape: Shape,
): Float64Tensor {
  if (inputShape.length !== 4) {
    throw new Error(`maxPoolInputGrad: input must be NHWC (rank 4), got ${fmt(inputShape)}`);
  }
  const [n, h, w, c] = inputShape;
  if (dy.rank !== 4 || dy.shape[0] !== n || dy.shape[3] !== c) {
    throw new Error(`maxPoolInputGrad: dy ${fmt(dy.shape)} does not fit input ${fmt(inputShape)}`);
  }
  expectShape(argmax, [...dy.shape], 'argmax', 'maxPoolInputGrad');
  const plane = h * w;
  const perSample = dy.shape[1] * dy.shape[2] * c;
  const ds = dy.data;
  const as = argmax.data;
  const dx = new Float64Array(n * plane * c);
  for (let b = 0; b < n; b++) {
    for (let k = 0; k < perSample; k++) {
      const o = b * perSample + k;
      const p = as[o];
      if (p < 0) continue; // window wholly in padding
      if (!Number.isInteger(p) || p >= plane) {
        throw new Error(`maxPoolInputGrad: argmax ${p} at ${o} is outside the ${h}x${w} plane`);
      }
      dx[(b * plane + p) * c + (k % c)] += ds[o];
    }
  }
  return new Float64Tensor(dx, [n, h, w, c]);
}

/** Average over each window; padding counts as zeros in the kh·kw divisor. */
export function avgPool(x: Float64Tensor, win: Window2d): Float64Tensor {
  const { n, h, w, c, ho, wo, kh, kw, sh, sw, pt, pl } = geometry(x.shape, win, 'avgPool');
  const xs = x.data;
  const out = new Float64Array(n * ho * wo * c);
  const area = kh * kw;
  for (let b = 0; b < n; b++) {
    for (let oh = 0; oh < ho; oh++) {
      for (let ow = 0; ow < wo; ow++) {
        const o = ((b * ho + oh) * wo + ow) * c;
        for (let i = 0; i < kh; i++) {
          const r = oh * sh - pt + i;
          if (r < 0 || r >= h) continue;
          for (let j = 0; j < kw; j++) {
            const s = ow * sw - pl + j;
            if (s < 0 || s >= w) continue;
            const xi = ((b * h + r) * w + s) * c;
            for (let ch = 0; ch < c; ch++) out[o + ch] += xs[xi + ch];
          }
        }
        for (let ch = 0; ch < c; ch++) out[o + ch] /= area;
      }
    }
  }
  return new Float64Tensor(out, [n, ho, wo, c]);
}

export function avgPoolInputGrad(
  dy: Float64Tensor,
  inputShape: Shape,
  win: Window2d,
): Float64Tensor {
  const g = geometry(inputShape, win, 'avgPoolInputGrad');
  const { n, h, w, c, ho, wo, kh, kw, sh, sw, pt, pl } = g;
  expectShape(dy, [n, ho, wo, c], 'dy', 'avgPoolInputGrad');
  const ds = dy.data;
  const dx = new Float64Array(n * h * w * c);
  const area = kh * kw;
  for (let b = 0; b < n; b++) {
    for (let oh = 0; oh < ho; oh++) {
      for (let ow = 0; ow < wo; ow++) {
        const o = ((b * ho + oh) * wo + ow) * c;
        for (let i = 0; i < kh; i++) {
          const r = oh * sh - pt + i;
          if (r < 0 || r >= h) continue;
          for (let j = 0; j < kw; j++) {
            const s = ow * sw - pl + j;
            if (s < 0 || s >= w) continue;
            const xi = ((b * h + r) * w + s) * c;
            for (let ch = 0; ch < c; ch++) dx[xi + ch] += ds[o + ch] / area;
          }
        }
      }
    }
  }
  return new Float64Tensor(dx, [n, h, w, c]);
}
