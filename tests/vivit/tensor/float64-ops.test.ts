// float64 Ops checked against tfjs (cpu backend, float32) as the oracle, plus closed forms that
// only float64 can meet. Inputs are drawn as float32-representable values so both sides see
// exactly the same numbers and differences come only from tfjs's float32 arithmetic.

import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Float64Tensor, float64Ops as ops } from '../../../src/vivit/tensor/float64-ops';
import type { Window2d } from '../../../src/vivit/tensor/ops';
import { uniforms } from '../../helpers/rng';

beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});

// ---------------------------------------------------------------- helpers

let nextSeed = 1;
function rand(shape: number[], lo = -1, hi = 1): Float64Tensor {
  const r = uniforms(nextSeed++);
  const n = shape.reduce((a, b) => a * b, 1);
  const data = new Float64Array(n);
  for (let i = 0; i < n; i++) data[i] = Math.fround(lo + (hi - lo) * r());
  return ops.fromArray(data, shape);
}

function randInt(shape: number[], lo: number, hi: number): Float64Tensor {
  const r = uniforms(nextSeed++);
  const n = shape.reduce((a, b) => a * b, 1);
  const data = new Float64Array(n);
  for (let i = 0; i < n; i++) data[i] = lo + Math.floor((hi - lo + 1) * r());
  return ops.fromArray(data, shape);
}

/** The same values as a tfjs float32 tensor (exact for float32-representable inputs). */
function toTf(t: Float64Tensor): tf.Tensor {
  return tf.tensor(Float32Array.from(t.data), [...t.shape]);
}

/**
 * Asserts |a − e| ≤ rtol·(|e| + 1) elementwise (relative for large values, absolute rtol for
 * small ones), equal shapes, and identical NaN / ±Infinity positions.
 */
function expectClose(actual: Float64Tensor, expected: tf.Tensor, rtol = 1e-5, what = ''): void {
  expect([...actual.shape], `${what} shape`).toEqual(expected.shape);
  const e = expected.dataSync();
  const a = actual.data;
  let worst = 0;
  let at = -1;
  for (let i = 0; i < a.length; i++) {
    if (!Number.isFinite(e[i]) || !Number.isFinite(a[i])) {
      if (!Object.is(a[i], e[i]) && !(Number.isNaN(a[i]) && Number.isNaN(e[i]))) {
        worst = Infinity;
        at = i;
        break;
      }
      continue;
    }
    const err = Math.abs(a[i] - e[i]) / (rtol * (Math.abs(e[i]) + 1));
    if (err > worst) {
      worst = err;
      at = i;
    }
  }
  expect(worst, `${what}: element ${at} is ${a[at]}, tfjs says ${e[at]}`).toBeLessThanOrEqual(1);
}

/** float64 against float64: |a − b| ≤ tol·(|b| + 1). */
function expectClose64(
  actual: Float64Tensor,
  expected: Float64Tensor,
  tol: number,
  what = '',
): void {
  expect([...actual.shape], `${what} shape`).toEqual([...expected.shape]);
  let worst = 0;
  for (let i = 0; i < actual.size; i++) {
    const b = expected.data[i];
    worst = Math.max(worst, Math.abs(actual.data[i] - b) / (tol * (Math.abs(b) + 1)));
  }
  expect(worst, what).toBeLessThanOrEqual(1);
}

function expectExact(actual: Float64Tensor, expected: ArrayLike<number>, shape: number[]): void {
  expect([...actual.shape]).toEqual(shape);
  expect(Array.from(actual.data)).toEqual(Array.from(expected));
}

const pads = (win: Window2d): [number, number][] => [
  [0, 0],
  [win.pad[0], win.pad[1]],
  [win.pad[2], win.pad[3]],
  [0, 0],
];

// ---------------------------------------------------------------- the checker itself

describe('the comparison helper', () => {
  it('rejects a small perturbation, a transposition and a shape change', () => {
    const a = rand([4, 5]);
    const ref = toTf(a);
    expectClose(a, ref);
    const bumped = a.data.slice();
    bumped[7] += 1e-3;
    expect(() => expectClose(ops.fromArray(bumped, [4, 5]), ref)).toThrow();
    const sq = rand([3, 3]);
    expect(() => expectClose(ops.transpose(sq, [1, 0]), toTf(sq))).toThrow();
    expect(() => expectClose(ops.reshape(a, [5, 4]), ref)).toThrow();
    expect(() => expectClose(ops.fromArray([NaN], [1]), tf.tensor([1]))).toThrow();
  });
});

// ---------------------------------------------------------------- creation and memory

describe('creation and reading', () => {
  it('fromArray copies its input and toArray copies its output', () => {
    const src = [1, 2, 3, 4, 5, 6];
    const t = ops.fromArray(src, [2, 3]);
    src[0] = 99;
    expect(t.data[0]).toBe(1);
    const out = ops.toArray(t);
    out[1] = 99;
    expect(t.data[1]).toBe(2);
    expect(out).toBeInstanceOf(Float64Array);
    const shape = ops.shape(t);
    shape[0] = 7;
    expect(ops.shape(t)).toEqual([2, 3]);
    expect(Object.isFrozen(t.shape)).toBe(true);
  });

  it('zeros, fill, item and scalars', () => {
    expectExact(ops.zeros([2, 2]), [0, 0, 0, 0], [2, 2]);
    expectExact(ops.fill([3], -2.5), [-2.5, -2.5, -2.5], [3]);
    expect(ops.item(ops.fromArray([4.25], []))).toBe(4.25);
    expect(ops.item(ops.fromArray([4.25], [1, 1]))).toBe(4.25);
    expect(() => ops.item(ops.zeros([2]))).toThrow(/not a scalar/);
    expect(() => ops.fromArray([1, 2, 3], [2, 2])).toThrow(/3 values do not fill shape \[2, 2\]/);
    expect(() => ops.zeros([2, -1])).toThrow(/invalid size -1 at axis 1/);
    expect(() => ops.zeros([1.5])).toThrow(/invalid size/);
  });

  it('tidy runs its function; dispose and keep are harmless no-ops', () => {
    const t = ops.fromArray([1, 2], [2]);
    expect(ops.tidy(() => 42)).toBe(42);
    expect(ops.tidy(() => t)).toBe(t);
    expect(ops.keep(t)).toBe(t);
    ops.dispose(t);
    ops.dispose([t, t]);
    expectExact(t, [1, 2], [2]);
    expect(ops.kind).toBe('float64');
  });
});

// ---------------------------------------------------------------- elementwise

const broadcastPairs: [number[], number[]][] = [
  [
    [3, 4],
    [3, 4],
  ],
  [[2, 3, 4], [4]],
  [[4], [2, 3, 4]],
  [
    [2, 1, 4],
    [3, 1],
  ],
  [[], [2, 3]],
  [[2, 3], []],
  [[1], [5]],
  [
    [5, 1, 3],
    [1, 4, 1],
  ],
  [
    [2, 1, 3, 1],
    [1, 4, 1, 2],
  ],
  [
    [0, 3],
    [1, 3],
  ],
];

describe('binary elementwise ops broadcast like tfjs', () => {
  const cases: [string, (a: Float64Tensor, b: Float64Tensor) => Float64Tensor, typeof tf.add][] = [
    ['add', ops.add, tf.add],
    ['sub', ops.sub, tf.sub],
    ['mul', ops.mul, tf.mul],
    ['div', ops.div, tf.div],
    ['maximum', ops.maximum, tf.maximum],
  ];
  for (const [name, f, g] of cases) {
    it(name, () => {
      for (const [sa, sb] of broadcastPairs) {
        const a = rand(sa, -2, 2);
        // divisors: |b| in [0.5, 2] with either sign, so float32 rounding is not amplified
        const b =
          name === 'div'
            ? ops.mul(rand(sb, 0.5, 2), ops.addScalar(ops.scale(ops.stepMask(rand(sb), 0), 2), -1))
            : rand(sb);
        expectClose(f(a, b), g(toTf(a), toTf(b)), 1e-5, `${name} ${sa} ${sb}`);
      }
    });
  }

  it('rejects shapes that do not broadcast, naming both', () => {
    expect(() => ops.add(ops.zeros([2, 3]), ops.zeros([4]))).toThrow(
      /add: shapes \[2, 3\] and \[4\] cannot be broadcast \(axis -1: 3 vs 4\)/,
    );
    expect(() => ops.mul(ops.zeros([2, 3]), ops.zeros([3, 3]))).toThrow(/axis -2: 2 vs 3/);
  });

  it('where broadcasts mask, a and b together', () => {
    const mask = ops.stepMask(rand([2, 1, 4]), 0);
    const a = rand([3, 1]);
    const b = rand([2, 3, 4]);
    const expected = tf.where(tf.notEqual(toTf(mask), 0), toTf(a), toTf(b));
    expectClose(ops.where(mask, a, b), expected, 0, 'where');
    // any nonzero (including negative and NaN) counts as true
    const m = ops.fromArray([0, -3, NaN, 0.5], [4]);
    expectExact(ops.where(m, ops.fill([4], 1), ops.fill([4], 2)), [2, 1, 1, 1], [4]);
  });
});

describe('unary elementwise ops match tfjs', () => {
  const x = rand([3, 4, 5], -3, 3);
  const pos = rand([3, 4, 5], 0.01, 5);
  const cases: [
    string,
    Float64Tensor,
    (a: Float64Tensor) => Float64Tensor,
    (a: tf.Tensor) => tf.Tensor,
  ][] = [
    ['neg', x, ops.neg, tf.neg],
    ['exp', x, ops.exp, tf.exp],
    ['log', pos, ops.log, tf.log],
    ['sqrt', pos, ops.sqrt, tf.sqrt],
    ['square', x, ops.square, tf.square],
    ['abs', x, ops.abs, tf.abs],
    ['relu', x, ops.relu, tf.relu],
    ['sigmoid', x, ops.sigmoid, tf.sigmoid],
    ['tanh', x, ops.tanh, tf.tanh],
    ['scale', x, (a) => ops.scale(a, -1.75), (a) => tf.mul(a, -1.75)],
    ['addScalar', x, (a) => ops.addScalar(a, 0.625), (a) => tf.add(a, 0.625)],
    ['stepMask', x, (a) => ops.stepMask(a, 0.3), (a) => tf.cast(tf.greater(a, 0.3), 'float32')],
  ];
  for (const [name, input, f, g] of cases) {
    it(name, () => {
      expectClose(f(input), g(toTf(input)), 1e-6, name);
    });
  }

  it('edge values: log 0, sqrt of negatives, the step threshold itself', () => {
    expectExact(ops.log(ops.fromArray([0], [1])), [-Infinity], [1]);
    expect(Number.isNaN(ops.sqrt(ops.fromArray([-1], [1])).data[0])).toBe(true);
    expectExact(ops.stepMask(ops.fromArray([0.3, 0.30000001, -1], [3]), 0.3), [0, 1, 0], [3]);
    expectExact(ops.relu(ops.fromArray([-0.5, 0, 2], [3])), [0, 0, 2], [3]);
  });

  it('sigmoid and tanh neither overflow nor lose symmetry in float64', () => {
    const big = ops.fromArray([-800, -40, 0, 40, 800], [5]);
    const sg = ops.sigmoid(big).data;
    expect([sg[0], sg[2], sg[3], sg[4]]).toEqual([0, 0.5, 1, 1]);
    expect(Math.abs(sg[1] / Math.exp(-40) - 1)).toBeLessThanOrEqual(1e-15); // 1 + e^-40 == 1
    expectExact(ops.tanh(big), [-1, -1, 0, 1, 1], [5]);
    const xs = rand([200], -30, 30);
    const s = ops.add(ops.sigmoid(xs), ops.sigmoid(ops.neg(xs)));
    for (const v of s.data) expect(Math.abs(v - 1)).toBeLessThanOrEqual(2.3e-16);
  });
});

// ---------------------------------------------------------------- reductions

describe('reductions', () => {
  const shapes = [[2, 3, 4], [3, 1, 5], [7], [2, 3, 2, 3]];
  const axesCases: (number[] | undefined)[] = [undefined, [], [0], [-1], [0, 2], [1, 2], [2, 0]];
  for (const [name, f, g] of [
    ['sum', ops.sum, tf.sum],
    ['max', ops.max, tf.max],
  ] as const) {
    it(`${name} over axes with and without keepDims`, () => {
      for (const shape of shapes) {
        const x = rand(shape, -3, 3);
        for (const axes of axesCases) {
          if (axes?.some((a) => a >= shape.length || a < -shape.length)) continue;
          for (const keep of [false, true]) {
            expectClose(
              f(x, axes, keep),
              g(toTf(x), axes, keep),
              1e-5,
              `${name} ${shape} ${axes} ${keep}`,
            );
          }
        }
      }
    });
  }

  it('sum keeps float64 precision and reduces empty axes to 0 / -inf', () => {
    expect(ops.item(ops.sum(ops.fromArray([1e8, 1, -1e8, 0.5], [4])))).toBe(1.5);
    expectExact(ops.sum(ops.zeros([0, 3]), [0]), [0, 0, 0], [3]);
    expectExact(ops.max(ops.zeros([0, 2]), [0]), [-Infinity, -Infinity], [2]);
    expect(ops.sum(ops.zeros([2, 3])).shape).toEqual([]);
  });

  it('reduction axes are validated', () => {
    expect(() => ops.sum(ops.zeros([2, 3]), [2])).toThrow(
      /sum: axis 2 is out of range for a rank-2/,
    );
    expect(() => ops.max(ops.zeros([2, 3]), [1, -1])).toThrow(/axis -1 is listed twice/);
  });

  it('argMax along each axis, as float indices', () => {
    for (const shape of shapes) {
      const x = rand(shape);
      for (let axis = -shape.length; axis < shape.length; axis++) {
        const got = ops.argMax(x, axis);
        expectClose(got, tf.argMax(toTf(x), axis), 0, `argMax ${shape} ${axis}`);
        expect(got.data).toBeInstanceOf(Float64Array);
      }
    }
    // ties go to the first index; NaN is skipped
    expectExact(ops.argMax(ops.fromArray([1, 3, 3, NaN, 2], [5]), 0), [1], []);
  });

  it('logSumExp along an axis matches tfjs and is stable', () => {
    for (const shape of shapes) {
      const x = rand(shape, -5, 5);
      for (let axis = -shape.length; axis < shape.length; axis++) {
        for (const keep of [false, true]) {
          expectClose(
            ops.logSumExp(x, axis, keep),
            tf.logSumExp(toTf(x), axis, keep),
            1e-5,
            `logSumExp ${shape} ${axis} ${keep}`,
          );
        }
      }
    }
    const big = ops.fromArray([1000, 1000, 1000, -1000, 5, -Infinity], [2, 3]);
    const lse = ops.logSumExp(big, 1);
    expect(lse.data[0]).toBe(1000 + Math.log(3));
    expect(lse.data[1]).toBe(5);
    // closed form for two terms: max + log1p(exp(-|a - b|))
    const pairs = rand([50, 2], -20, 20);
    const got = ops.logSumExp(pairs, -1);
    for (let i = 0; i < 50; i++) {
      const [a, b] = [pairs.data[2 * i], pairs.data[2 * i + 1]];
      const want = Math.max(a, b) + Math.log1p(Math.exp(-Math.abs(a - b)));
      expect(Math.abs(got.data[i] - want)).toBeLessThanOrEqual(4e-16 * Math.max(1, Math.abs(want)));
    }
    expectExact(ops.logSumExp(ops.fill([2, 2], -Infinity), 0), [-Infinity, -Infinity], [2]);
  });

  it('softmax along any axis matches tfjs (last axis, or moved there by transpose)', () => {
    const x = rand([3, 4, 5], -4, 4);
    expectClose(ops.softmax(x, -1), tf.softmax(toTf(x)), 1e-5, 'softmax -1');
    expectClose(ops.softmax(x, 2), tf.softmax(toTf(x)), 1e-5, 'softmax 2');
    const viaLast = (perm: number[]) => tf.transpose(tf.softmax(tf.transpose(toTf(x), perm)), perm); // perms used are involutions
    expectClose(ops.softmax(x, 0), viaLast([2, 1, 0]), 1e-5, 'softmax 0');
    expectClose(ops.softmax(x, 1), viaLast([0, 2, 1]), 1e-5, 'softmax 1');
  });

  it('softmax sums to 1 within 1e-15 and survives huge logits', () => {
    const x = rand([40, 7], -30, 30);
    const s = ops.sum(ops.softmax(x, 1), [1]);
    for (const v of s.data) expect(Math.abs(v - 1)).toBeLessThanOrEqual(1e-15);
    const huge = ops.softmax(ops.fromArray([1000, 0, -1000, 1000], [4]), 0);
    expectExact(huge, [0.5, 0.5 * Math.exp(-1000), 0, 0.5], [4]);
  });
});

// ---------------------------------------------------------------- shape ops

describe('shape ops', () => {
  it('reshape, with an inferred -1', () => {
    const x = rand([2, 3, 4]);
    expectClose(ops.reshape(x, [6, 4]), tf.reshape(toTf(x), [6, 4]), 0);
    expectClose(ops.reshape(x, [4, -1]), tf.reshape(toTf(x), [4, -1]), 0);
    expect(() => ops.reshape(x, [5, 5])).toThrow(
      /cannot reshape \[2, 3, 4\] \(24 elements\) to \[5, 5\]/,
    );
    expect(() => ops.reshape(x, [-1, -1])).toThrow(/more than one -1/);
    expect(() => ops.reshape(x, [5, -1])).toThrow(/cannot infer/);
  });

  it('transpose with every permutation of rank 3 and some of rank 4', () => {
    const x = rand([2, 3, 4]);
    for (const perm of [
      [0, 1, 2],
      [0, 2, 1],
      [1, 0, 2],
      [1, 2, 0],
      [2, 0, 1],
      [2, 1, 0],
    ]) {
      expectClose(ops.transpose(x, perm), tf.transpose(toTf(x), perm), 0, `perm ${perm}`);
    }
    const y = rand([2, 3, 4, 5]);
    for (const perm of [
      [3, 1, 0, 2],
      [0, 3, 1, 2],
      [1, 3, 2, 0],
    ]) {
      expectClose(ops.transpose(y, perm), tf.transpose(toTf(y), perm), 0, `perm ${perm}`);
    }
    expect(() => ops.transpose(x, [0, 0, 1])).toThrow(/not a permutation/);
    expect(() => ops.transpose(x, [1, 0])).toThrow(/does not have rank 3/);
  });

  it('slice, including size -1 and empty slices', () => {
    const x = rand([4, 5, 6]);
    for (const [begin, size] of [
      [
        [0, 0, 0],
        [4, 5, 6],
      ],
      [
        [1, 2, 3],
        [2, 3, 2],
      ],
      [
        [3, 0, 5],
        [1, -1, 1],
      ],
      [
        [0, 4, 0],
        [-1, 1, -1],
      ],
      [
        [2, 2, 2],
        [0, 2, 2],
      ],
    ]) {
      expectClose(
        ops.slice(x, begin, size),
        tf.slice(toTf(x), begin, size),
        0,
        `slice ${begin} ${size}`,
      );
    }
    expect(() => ops.slice(x, [3, 0, 0], [2, 1, 1])).toThrow(/at axis 0/);
    expect(() => ops.slice(x, [0, 0], [1, 1])).toThrow(/rank 3/);
  });

  it('concat along each axis, with differing sizes along it', () => {
    for (const axis of [0, 1, 2, -1]) {
      const ax = axis < 0 ? axis + 3 : axis;
      const parts = [2, 1, 3].map((len) => rand([2, 3, 4].map((n, d) => (d === ax ? len : n))));
      expectClose(ops.concat(parts, axis), tf.concat(parts.map(toTf), axis), 0, `concat ${axis}`);
    }
    expect(() => ops.concat([ops.zeros([2, 3]), ops.zeros([3, 3])], 1)).toThrow(
      /tensor 1 has shape \[3, 3\], which does not match \[2, 3\] outside axis 1/,
    );
    expect(() => ops.concat([], 0)).toThrow(/at least one/);
  });

  it('pad with a constant', () => {
    const x = rand([2, 3, 4]);
    const p: [number, number][] = [
      [1, 0],
      [0, 2],
      [3, 1],
    ];
    expectClose(ops.pad(x, p), tf.pad(toTf(x), p), 0, 'pad 0');
    expectClose(ops.pad(x, p, -7.5), tf.pad(toTf(x), p, -7.5), 0, 'pad -7.5');
    expect(() => ops.pad(x, [[1, 1]])).toThrow(/1 paddings given for a rank-3/);
    expect(() =>
      ops.pad(x, [
        [0, 0],
        [-1, 0],
        [0, 0],
      ]),
    ).toThrow(/at axis 1/);
  });

  it('gather along each axis, with repeated indices', () => {
    const x = rand([4, 3, 5]);
    for (const [axis, idx] of [
      [0, [3, 0, 0, 2, 1]],
      [1, [2, 2]],
      [2, [4, 0, 1]],
      [-1, [1]],
      [1, []],
    ] as [number, number[]][]) {
      expectClose(
        ops.gather(x, idx, axis),
        tf.gather(toTf(x), tf.tensor1d(idx, 'int32'), axis),
        0,
        `gather ${axis} ${idx}`,
      );
    }
    expect(() => ops.gather(x, [0, 3], 1)).toThrow(
      /index 3 at position 1 is not an integer in \[0, 3\)/,
    );
    expect(() => ops.gather(x, [0.5], 0)).toThrow(/index 0.5/);
  });

  it('oneHot', () => {
    const idx = [2, 0, 4, 4, 1];
    expectClose(ops.oneHot(idx, 5), tf.oneHot(tf.tensor1d(idx, 'int32'), 5), 0, 'oneHot');
    expectClose(ops.oneHot(Int32Array.from(idx), 6), tf.oneHot(tf.tensor1d(idx, 'int32'), 6), 0);
    expect(() => ops.oneHot([0, 5], 5)).toThrow(/index 5 at position 1/);
    expect(() => ops.oneHot([0], 0)).toThrow(/depth 0/);
  });
});

// ---------------------------------------------------------------- matMul

describe('matMul', () => {
  const naive = (a: Float64Tensor, b: Float64Tensor, ta: boolean, tb: boolean): Float64Array => {
    // Independent triple loop over explicit indices (no blocking, no transposed copies).
    const r = a.rank;
    const [ar, ac] = a.shape.slice(r - 2);
    const [br, bc] = b.shape.slice(r - 2);
    const [m, k] = ta ? [ac, ar] : [ar, ac];
    const n = tb ? br : bc;
    const batch = a.size / (ar * ac);
    const out = new Float64Array(batch * m * n);
    for (let t = 0; t < batch; t++) {
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < n; j++) {
          let s = 0;
          for (let p = 0; p < k; p++) {
            const av = a.data[t * ar * ac + (ta ? p * ac + i : i * ac + p)];
            const bv = b.data[t * br * bc + (tb ? j * bc + p : p * bc + j)];
            s += av * bv;
          }
          out[(t * m + i) * n + j] = s;
        }
      }
    }
    return out;
  };

  const shapeCases: [number[], number, number, number][] = [
    // [batch, m, k, n]: remainders of the 4x4 blocking, exact blocks, degenerate sizes
    [[], 5, 7, 3],
    [[], 8, 16, 12],
    [[], 9, 13, 6],
    [[], 1, 1, 1],
    [[], 4, 3, 1],
    [[2], 6, 5, 7],
    [[2, 3], 5, 4, 2],
    [[], 3, 0, 2],
  ];
  for (const [batch, m, k, n] of shapeCases) {
    it(`${batch.length ? `[${batch}] x ` : ''}${m}x${k} · ${k}x${n} with every transpose flag`, () => {
      for (const ta of [false, true]) {
        for (const tb of [false, true]) {
          const a = rand([...batch, ...(ta ? [k, m] : [m, k])]);
          const b = rand([...batch, ...(tb ? [n, k] : [k, n])]);
          const got = ops.matMul(a, b, ta, tb);
          expectClose(got, tf.matMul(toTf(a), toTf(b), ta, tb), 1e-5, `ta=${ta} tb=${tb}`);
          expect([...got.shape]).toEqual([...batch, m, n]);
        }
      }
    });
  }

  it('is exact on integer matrices whose results exceed float32 precision', () => {
    for (const [ta, tb] of [
      [false, false],
      [true, false],
      [false, true],
      [true, true],
    ]) {
      const [m, k, n] = [9, 37, 11];
      const a = randInt([2, ...(ta ? [k, m] : [m, k])], -5000, 5000);
      const b = randInt([2, ...(tb ? [n, k] : [k, n])], -5000, 5000);
      const got = ops.matMul(a, b, ta, tb);
      const want = naive(a, b, ta, tb);
      expectExact(got, want, [2, m, n]);
      // the case is beyond float32: tfjs cannot get all of it right
      expect(want.some((v) => Math.abs(v) > 2 ** 24)).toBe(true);
      const f32 = tf.matMul(toTf(a), toTf(b), ta, tb).dataSync();
      expect(want.some((v, i) => v !== f32[i])).toBe(true);
    }
  });

  it('rejects mismatched operands with the shapes in the message', () => {
    expect(() => ops.matMul(ops.zeros([2, 3]), ops.zeros([4, 5]))).toThrow(
      /inner dimensions differ: \[2, 3\] x \[4, 5\] \(3 vs 4\)/,
    );
    expect(() => ops.matMul(ops.zeros([2, 2, 3]), ops.zeros([3, 3, 5]))).toThrow(
      /batch dimensions/,
    );
    expect(() => ops.matMul(ops.zeros([2, 3]), ops.zeros([2, 3, 5]))).toThrow(/same rank/);
    expect(() => ops.matMul(ops.zeros([3]), ops.zeros([3]))).toThrow(/same rank >= 2/);
  });
});

// ---------------------------------------------------------------- images

interface ImageCase {
  name: string;
  x: number[]; // N, H, W, C
  cout: number;
  win: Window2d;
}

const imageCases: ImageCase[] = [
  {
    name: '3x3 s1 same',
    x: [2, 6, 6, 3],
    cout: 4,
    win: { kernel: [3, 3], stride: [1, 1], pad: [1, 1, 1, 1] },
  },
  {
    name: '3x2 s2 asym pad',
    x: [2, 7, 6, 2],
    cout: 3,
    win: { kernel: [3, 2], stride: [2, 2], pad: [1, 0, 0, 1] },
  },
  {
    name: '2x3 s(2,1) valid',
    x: [1, 5, 7, 3],
    cout: 2,
    win: { kernel: [2, 3], stride: [2, 1], pad: [0, 0, 0, 0] },
  },
  {
    name: '1x1',
    x: [2, 3, 4, 5],
    cout: 3,
    win: { kernel: [1, 1], stride: [1, 1], pad: [0, 0, 0, 0] },
  },
  {
    name: '3x3 s(2,3) big pad',
    x: [3, 8, 9, 2],
    cout: 2,
    win: { kernel: [3, 3], stride: [2, 3], pad: [2, 1, 0, 2] },
  },
  {
    name: '4x4 s3 floor',
    x: [1, 9, 10, 1],
    cout: 2,
    win: { kernel: [4, 4], stride: [3, 3], pad: [0, 0, 0, 0] },
  },
];

const outHW = ({ x, win }: ImageCase): [number, number] => [
  Math.floor((x[1] + win.pad[0] + win.pad[1] - win.kernel[0]) / win.stride[0]) + 1,
  Math.floor((x[2] + win.pad[2] + win.pad[3] - win.kernel[1]) / win.stride[1]) + 1,
];

function tfConv(x: tf.Tensor, w: tf.Tensor, win: Window2d): tf.Tensor4D {
  return tf.conv2d(
    x as tf.Tensor4D,
    w as tf.Tensor4D,
    win.stride,
    pads(win) as Parameters<typeof tf.conv2d>[3],
  );
}
function tfMaxPool(x: tf.Tensor, win: Window2d): tf.Tensor4D {
  return tf.maxPool(
    tf.pad(x, pads(win), -Infinity) as tf.Tensor4D,
    win.kernel,
    win.stride,
    'valid',
  );
}
function tfAvgPool(x: tf.Tensor, win: Window2d): tf.Tensor4D {
  return tf.avgPool(tf.pad(x, pads(win), 0) as tf.Tensor4D, win.kernel, win.stride, 'valid');
}

describe('conv2d, its input gradient and unfold', () => {
  for (const c of imageCases) {
    const [ho, wo] = outHW(c);
    const wShape = [...c.win.kernel, c.x[3], c.cout];

    it(`conv2d matches tf.conv2d (${c.name})`, () => {
      const x = rand(c.x);
      const w = rand(wShape);
      expectClose(ops.conv2d(x, w, c.win), tfConv(toTf(x), toTf(w), c.win), 1e-5, c.name);
    });

    it(`conv2dInputGrad matches tf.grad of tf.conv2d (${c.name})`, () => {
      const x = rand(c.x);
      const w = rand(wShape);
      const dy = rand([c.x[0], ho, wo, c.cout]);
      const grad = tf.grad((xt: tf.Tensor) => tfConv(xt, toTf(w), c.win));
      expectClose(ops.conv2dInputGrad(dy, w, c.x, c.win), grad(toTf(x), toTf(dy)), 1e-5, c.name);
    });

    it(`conv2dWeightGrad matches tf.grad of tf.conv2d and unfoldᵀ·dy (${c.name})`, () => {
      const x = rand(c.x);
      const w = rand(wShape);
      const dy = rand([c.x[0], ho, wo, c.cout]);
      const grad = tf.grad((wt: tf.Tensor) => tfConv(toTf(x), wt, c.win));
      const got = ops.conv2dWeightGrad(x, dy, c.win);
      expectClose(got, grad(toTf(w), toTf(dy)), 1e-5, c.name);
      const patch = c.win.kernel[0] * c.win.kernel[1] * c.x[3];
      const viaUnfold = ops.matMul(
        ops.reshape(ops.unfold(x, c.win), [-1, patch]),
        ops.reshape(dy, [-1, c.cout]),
        true,
      );
      expectClose64(got, ops.reshape(viaUnfold, wShape), 1e-12, c.name);
    });

    it(`unfold @ reshaped weights reproduces conv2d (${c.name})`, () => {
      const x = rand(c.x);
      const w = rand(wShape);
      const cols = ops.unfold(x, c.win);
      const patch = c.win.kernel[0] * c.win.kernel[1] * c.x[3];
      expect(ops.shape(cols)).toEqual([c.x[0], ho * wo, patch]);
      const viaUnfold = ops.reshape(
        ops.matMul(ops.reshape(cols, [-1, patch]), ops.reshape(w, [patch, c.cout])),
        [c.x[0], ho, wo, c.cout],
      );
      expectClose(viaUnfold, tfConv(toTf(x), toTf(w), c.win), 1e-5, c.name);
      // float64 agreement between the two routes, to rounding
      expectClose64(viaUnfold, ops.conv2d(x, w, c.win), 1e-12, c.name);
    });
  }

  it('is exact on integer data, in conv2d and via unfold', () => {
    const win: Window2d = { kernel: [3, 2], stride: [2, 1], pad: [1, 1, 0, 1] };
    const x = randInt([2, 6, 5, 3], -3000, 3000);
    const w = randInt([3, 2, 3, 4], -3000, 3000);
    const direct = ops.conv2d(x, w, win);
    const cols = ops.unfold(x, win);
    const viaUnfold = ops.matMul(ops.reshape(cols, [-1, 18]), ops.reshape(w, [18, 4]));
    expectExact(ops.reshape(viaUnfold, ops.shape(direct)), direct.data, ops.shape(direct));
    expect(direct.data.some((v) => Math.abs(v) > 2 ** 24)).toBe(true);
  });

  it('rejects weights, dy and windows that do not fit', () => {
    const win: Window2d = { kernel: [3, 3], stride: [1, 1], pad: [0, 0, 0, 0] };
    const x = ops.zeros([1, 5, 5, 2]);
    expect(() => ops.conv2d(x, ops.zeros([3, 3, 3, 4]), win)).toThrow(
      /weights \[3, 3, 3, 4\] do not match \[kh, kw, Cin, Cout\] = \[3, 3, 2, \*\]/,
    );
    expect(() => ops.conv2d(ops.zeros([1, 2, 5, 2]), ops.zeros([3, 3, 2, 4]), win)).toThrow(
      /does not fit the padded 2x5 input/,
    );
    expect(() =>
      ops.conv2dInputGrad(ops.zeros([1, 2, 3, 4]), ops.zeros([3, 3, 2, 4]), [1, 5, 5, 2], win),
    ).toThrow(/dy has shape \[1, 2, 3, 4\], expected \[1, 3, 3, 4\]/);
    expect(() => ops.unfold(ops.zeros([5, 5, 2]), win)).toThrow(/NHWC \(rank 4\)/);
    expect(() => ops.conv2dWeightGrad(x, ops.zeros([1, 3, 2, 4]), win)).toThrow(
      /conv2dWeightGrad: dy has shape \[1, 3, 2, 4\], expected \[1, 3, 3, 4\]/,
    );
    expect(() => ops.avgPool(x, { ...win, stride: [0, 1] })).toThrow(/integers >= 1/);
  });
});

describe('pooling', () => {
  const poolCases: ImageCase[] = [
    ...imageCases,
    {
      name: '3x3 s2 overlapping',
      x: [2, 7, 7, 3],
      cout: 0,
      win: { kernel: [3, 3], stride: [2, 2], pad: [0, 0, 0, 0] },
    },
    {
      name: '2x2 s1 overlapping pad',
      x: [1, 5, 4, 2],
      cout: 0,
      win: { kernel: [2, 2], stride: [1, 1], pad: [1, 1, 1, 1] },
    },
  ];
  for (const c of poolCases) {
    const [ho, wo] = outHW(c);

    it(`maxPool matches tf.maxPool with -inf padding, argmax points at the max (${c.name})`, () => {
      // all-negative inputs: zero padding would win at the borders, -inf padding must not
      const x = rand(c.x, -5, -1);
      const { out, argmax } = ops.maxPool(x, c.win);
      expectClose(out, tfMaxPool(toTf(x), c.win), 0, c.name);
      const [n, h, w, ch] = c.x;
      expect(ops.shape(argmax)).toEqual([n, ho, wo, ch]);
      for (let o = 0; o < argmax.size; o++) {
        const b = Math.floor(o / (ho * wo * ch));
        const k = argmax.data[o];
        const [oh, ow] = [Math.floor(o / (wo * ch)) % ho, Math.floor(o / ch) % wo];
        const [r, s] = [Math.floor(k / w), k % w];
        expect(x.data[((b * h + r) * w + s) * ch + (o % ch)]).toBe(out.data[o]);
        expect(r - (oh * c.win.stride[0] - c.win.pad[0])).toBeGreaterThanOrEqual(0);
        expect(r - (oh * c.win.stride[0] - c.win.pad[0])).toBeLessThan(c.win.kernel[0]);
        expect(s - (ow * c.win.stride[1] - c.win.pad[2])).toBeGreaterThanOrEqual(0);
        expect(s - (ow * c.win.stride[1] - c.win.pad[2])).toBeLessThan(c.win.kernel[1]);
      }
    });

    it(`maxPoolInputGrad matches tf.grad of tf.maxPool (${c.name})`, () => {
      const x = rand(c.x);
      const dy = rand([c.x[0], ho, wo, c.x[3]]);
      const { argmax } = ops.maxPool(x, c.win);
      const grad = tf.grad((xt: tf.Tensor) => tfMaxPool(xt, c.win));
      expectClose(ops.maxPoolInputGrad(dy, argmax, c.x), grad(toTf(x), toTf(dy)), 1e-6, c.name);
    });

    it(`avgPool matches a zero-padded tf.avgPool (count_include_pad) (${c.name})`, () => {
      const x = rand(c.x, 1, 3); // positive so a smaller divisor at the borders would show
      expectClose(ops.avgPool(x, c.win), tfAvgPool(toTf(x), c.win), 1e-6, c.name);
    });

    it(`avgPoolInputGrad matches tf.grad of the padded avg pool (${c.name})`, () => {
      const x = rand(c.x);
      const dy = rand([c.x[0], ho, wo, c.x[3]]);
      const grad = tf.grad((xt: tf.Tensor) => tfAvgPool(xt, c.win));
      expectClose(ops.avgPoolInputGrad(dy, c.x, c.win), grad(toTf(x), toTf(dy)), 1e-6, c.name);
    });
  }

  it('max ties go to the first window position; windows wholly in padding give -inf and no gradient', () => {
    const win: Window2d = { kernel: [2, 2], stride: [1, 1], pad: [2, 0, 0, 0] };
    const x = ops.fill([1, 3, 2, 1], 4);
    const { out, argmax } = ops.maxPool(x, win);
    expect(ops.shape(out)).toEqual([1, 4, 1, 1]);
    expectExact(out, [-Infinity, 4, 4, 4], [1, 4, 1, 1]);
    expectExact(argmax, [-1, 0, 0, 2], [1, 4, 1, 1]);
    const dx = ops.maxPoolInputGrad(
      ops.fromArray([10, 1, 2, 3], [1, 4, 1, 1]),
      argmax,
      [1, 3, 2, 1],
    );
    expectExact(dx, [3, 0, 3, 0, 0, 0], [1, 3, 2, 1]);
    expect(() =>
      ops.maxPoolInputGrad(ops.zeros([1, 4, 1, 1]), ops.fill([1, 4, 1, 1], 6), [1, 3, 2, 1]),
    ).toThrow(/argmax 6 at 0 is outside the 3x2 plane/);
  });

  it('avgPool divides by the full window, padding included (closed form)', () => {
    const win: Window2d = { kernel: [2, 2], stride: [2, 2], pad: [1, 0, 1, 0] };
    const x = ops.fromArray([1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 3, 3, 1]);
    // windows (rows, cols): (-1..0, -1..0) = {1}; (-1..0, 1..2) = {2, 3};
    // (1..2, -1..0) = {4, 7}; (1..2, 1..2) = {5, 6, 8, 9}; each divided by 4
    expectExact(ops.avgPool(x, win), [0.25, 1.25, 2.75, 7], [1, 2, 2, 1]);
  });
});

// ---------------------------------------------------------------- purity

describe('purity', () => {
  it('no op writes into its inputs or returns an input array (except reshape, which shares)', () => {
    const win: Window2d = { kernel: [3, 2], stride: [2, 1], pad: [1, 0, 1, 1] };
    const a = rand([2, 5, 4, 3]);
    const w = rand([3, 2, 3, 2]);
    const dy = rand([2, 2, 5, 2]); // conv output shape for this window
    const dp = rand([2, 2, 5, 3]); // pool output shape
    const mask = ops.stepMask(rand([2, 5, 4, 3]), 0);
    const row = rand([4, 1]); // broadcast partner
    const inputs = [a, w, dy, dp, mask, row];
    const snaps = inputs.map((t) => t.data.slice());
    const { argmax } = ops.maxPool(a, win);
    const argSnap = argmax.data.slice();
    const run: (() => Float64Tensor | { out: Float64Tensor; argmax: Float64Tensor })[] = [
      () => ops.add(a, a),
      () => ops.sub(a, row),
      () => ops.mul(a, mask),
      () => ops.div(a, a),
      () => ops.scale(a, 2),
      () => ops.addScalar(a, 2),
      () => ops.neg(a),
      () => ops.exp(a),
      () => ops.log(a),
      () => ops.sqrt(a),
      () => ops.square(a),
      () => ops.abs(a),
      () => ops.maximum(row, a),
      () => ops.relu(a),
      () => ops.sigmoid(a),
      () => ops.tanh(a),
      () => ops.stepMask(a, 0),
      () => ops.where(mask, a, ops.neg(a)),
      () => ops.sum(a, [1]),
      () => ops.sum(a, []),
      () => ops.max(a, [0, 3], true),
      () => ops.argMax(a, 2),
      () => ops.softmax(a, 1),
      () => ops.logSumExp(a, 2),
      () => ops.transpose(a, [3, 2, 1, 0]),
      () => ops.transpose(a, [0, 1, 2, 3]),
      () => ops.slice(a, [0, 0, 0, 0], [-1, -1, -1, -1]),
      () => ops.concat([a], 0),
      () => ops.concat([a, a], 1),
      () =>
        ops.pad(a, [
          [0, 0],
          [1, 1],
          [0, 0],
          [0, 0],
        ]),
      () => ops.gather(a, [1, 0], 0),
      () => ops.matMul(a, a, false, true),
      () => ops.matMul(a, a, true, false),
      () => ops.conv2d(a, w, win),
      () => ops.conv2dInputGrad(dy, w, a.shape, win),
      () => ops.conv2dWeightGrad(a, dy, win),
      () => ops.unfold(a, win),
      () => ops.maxPool(a, win),
      () => ops.maxPoolInputGrad(dp, argmax, a.shape),
      () => ops.avgPool(a, win),
      () => ops.avgPoolInputGrad(dp, a.shape, win),
    ];
    for (const f of run) {
      const r = f();
      const outs = r instanceof Float64Tensor ? [r] : [r.out, r.argmax];
      for (const o of outs) for (const t of [...inputs, argmax]) expect(o.data).not.toBe(t.data);
    }
    inputs.forEach((t, i) => expect(t.data).toEqual(snaps[i]));
    expect(argmax.data).toEqual(argSnap);
  });
});
