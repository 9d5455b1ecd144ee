// Ops.gramBlock — a linear layer's Gram block deltas ⊙ (inputGram + c) + prev — on float64,
// on tfjs's cpu backend (composed from tfjs ops) and on webgpu (one fused kernel; llvmpipe
// here, as in CI), against the entries written out from the definition:
//   out[(i,m),(j,m')] = deltas[(i,m),(j,m')] · (inputGram[i, j] + c) + prev[(i,m),(j,m')].
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initWebGpuBackend, webGpuDispatchCache } from '../../../src/vivit/backend-webgpu';
import { Rng } from '../../../src/vivit/random';
import { float64Ops } from '../../../src/vivit/tensor/float64-ops';
import { tfjsOps } from '../../../src/vivit/tensor/tfjs-ops';

const values = (size: number, seed: number) => {
  const rng = new Rng(seed, 'gram-block');
  return Float32Array.from({ length: size }, () => rng.normal());
};

interface Case {
  na: number;
  ma: number;
  nb: number;
  mb: number;
  bias: boolean;
  withPrev: boolean;
}

const CASES: Case[] = [
  { na: 5, ma: 1, nb: 5, mb: 1, bias: true, withPrev: false }, // MC-1 Gram, first layer
  { na: 4, ma: 3, nb: 4, mb: 3, bias: true, withPrev: true }, // exact Gram, running sum
  { na: 6, ma: 2, nb: 3, mb: 1, bias: false, withPrev: true }, // projections, no bias
  { na: 7, ma: 9, nb: 2, mb: 1, bias: false, withPrev: false },
];

function operands({ na, ma, nb, mb }: Case) {
  const rows = na * ma;
  const cols = nb * mb;
  return {
    rows,
    cols,
    deltas: values(rows * cols, rows + cols),
    inputGram: values(na * nb, na * nb + 1),
    prev: values(rows * cols, rows * cols + 2),
  };
}

/** The definition, entry by entry, in float64. */
function reference(c: Case): Float64Array {
  const { rows, cols, deltas, inputGram, prev } = operands(c);
  const out = new Float64Array(rows * cols);
  for (let i = 0; i < c.na; i++)
    for (let m = 0; m < c.ma; m++)
      for (let j = 0; j < c.nb; j++)
        for (let mm = 0; mm < c.mb; mm++) {
          const at = (i * c.ma + m) * cols + j * c.mb + mm;
          out[at] =
            deltas[at] * (inputGram[i * c.nb + j] + (c.bias ? 1 : 0)) + (c.withPrev ? prev[at] : 0);
        }
  return out;
}

function maxRelDiff(got: ArrayLike<number>, want: Float64Array): number {
  let worst = 0;
  for (let i = 0; i < want.length; i++) {
    worst = Math.max(worst, Math.abs(got[i] - want[i]) / (1 + Math.abs(want[i])));
  }
  return worst;
}

describe('gramBlock on float64', () => {
  it.each(CASES)('%j', (c) => {
    const { rows, cols, deltas, inputGram, prev } = operands(c);
    const out = float64Ops.gramBlock(
      float64Ops.fromArray(deltas, [rows, cols]),
      float64Ops.fromArray(inputGram, [c.na, c.nb]),
      c.ma,
      c.mb,
      c.bias,
      c.withPrev ? float64Ops.fromArray(prev, [rows, cols]) : null,
    );
    expect(out.shape).toEqual([rows, cols]);
    expect(maxRelDiff(out.data, reference(c))).toBeLessThan(1e-15);
  });

  it('names operands that do not fit', () => {
    const d = float64Ops.zeros([6, 4]);
    expect(() => float64Ops.gramBlock(d, float64Ops.zeros([3, 3]), 2, 1, true, null)).toThrow(
      /gramBlock: deltas \[6, 4\], input Gram \[3, 3\] with 2 × 1 vectors per sample do not fit/,
    );
  });
});

describe.each(['cpu', 'webgpu'] as const)('gramBlock on tfjs (%s)', (backend) => {
  beforeAll(async () => {
    if (backend === 'webgpu') await initWebGpuBackend({ allowSoftware: true });
    else await tf.setBackend('cpu');
  }, 120_000);
  afterAll(() => tf.setBackend('cpu'));

  it.each(CASES)('%j', async (c) => {
    const { rows, cols, deltas, inputGram, prev } = operands(c);
    const tensors = [
      tf.tensor2d(deltas, [rows, cols]),
      tf.tensor2d(inputGram, [c.na, c.nb]),
      tf.tensor2d(prev, [rows, cols]),
    ];
    const cache = webGpuDispatchCache();
    const before = cache?.dispatches ?? 0;
    const out = tfjsOps.gramBlock(
      tensors[0],
      tensors[1],
      c.ma,
      c.mb,
      c.bias,
      c.withPrev ? tensors[2] : null,
    );
    if (backend === 'webgpu') expect(cache!.dispatches - before).toBe(1);
    expect(out.shape).toEqual([rows, cols]);
    expect(maxRelDiff(await tfjsOps.read(out), reference(c))).toBeLessThan(1e-6);
    tf.dispose([...tensors, out]);
  });
});
