// Workarounds in tfjsOps for tfjs-backend-webgpu 4.22 defects, checked on webgpu (llvmpipe here)
// against the float64 ops. Each case failed before its workaround: transposed products with a
// small output and a long contraction (wrong by ~100 %), pads of rank ≥ 5 (invalid shader,
// zeros), and where() at rank ≥ 5 (a synchronous read, impossible in Node).
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initWebGpuBackend } from '../../../src/vivit/backend-webgpu';
import { Rng } from '../../../src/vivit/random';
import { float64Ops } from '../../../src/vivit/tensor/float64-ops';
import type { Ops } from '../../../src/vivit/tensor/ops';
import { tfjsOps } from '../../../src/vivit/tensor/tfjs-ops';
import { relError } from '../helpers';

beforeAll(async () => {
  await initWebGpuBackend({ allowSoftware: true });
}, 120_000);
afterAll(() => tf.setBackend('cpu'));

const values = (size: number, seed: number) => {
  const rng = new Rng(seed, 'webgpu-ops');
  return Float64Array.from({ length: size }, () => rng.normal());
};

async function both(
  fn: <T>(ops: Ops<T>) => T,
): Promise<{ gpu: Float64Array; exact: Float64Array }> {
  const t = tfjsOps.tidy(() => fn(tfjsOps));
  const gpu = Float64Array.from(await tfjsOps.read(t));
  t.dispose();
  const exact = Float64Array.from(await float64Ops.read(fn(float64Ops)));
  return { gpu, exact };
}

describe('tfjsOps on webgpu', () => {
  it('runs on webgpu', () => expect(tf.getBackend()).toBe('webgpu'));

  it.each([
    [32, 13824, 32],
    [64, 50000, 16],
    [300, 4000, 300],
    // Short contractions keep the flags (tfjs's own transposed kernels): packed, reduce and
    // small-output programs, up to just below the length where explicit transposes start.
    [128, 64, 128],
    [784, 128, 64],
    [4, 900, 4],
    [40, 1023, 40],
    [16, 1024, 16],
  ])('matMul %i×%i×%i with every transpose flag', async (m, k, n) => {
    for (const [ta, tb] of [
      [false, false],
      [true, false],
      [false, true],
      [true, true],
    ]) {
      const a = values(m * k, 1);
      const b = values(k * n, 2);
      const { gpu, exact } = await both((ops) =>
        ops.matMul(
          ops.fromArray(a, ta ? [k, m] : [m, k]),
          ops.fromArray(b, tb ? [n, k] : [k, n]),
          ta,
          tb,
        ),
      );
      expect(relError(gpu, exact), `transposeA ${ta}, transposeB ${tb}`).toBeLessThan(1e-5);
    }
  });

  it('pads rank-5 and rank-6 tensors', async () => {
    for (const shape of [
      [2, 3, 1, 4, 2],
      [2, 3, 1, 4, 1, 2],
    ]) {
      const data = values(
        shape.reduce((x, y) => x * y, 1),
        3,
      );
      const paddings = shape.map((_, i) => (i % 2 === 0 ? [1, 0] : [0, 2]) as [number, number]);
      const { gpu, exact } = await both((ops) =>
        ops.pad(ops.fromArray(data, shape), paddings, 0.5),
      );
      expect(relError(gpu, exact)).toBeLessThan(1e-7); // float32 rounding of the inputs only
    }
  });

  it('selects with where() at rank 5, broadcasting', async () => {
    const mask = Float64Array.from(values(4 * 5, 4), (v) => (v > 0 ? 1 : 0));
    const a = values(3 * 2 * 4 * 5 * 2, 5);
    const b = values(2 * 1 * 5 * 2, 6);
    const { gpu, exact } = await both((ops) =>
      ops.where(
        ops.fromArray(mask, [1, 1, 4, 5, 1]),
        ops.fromArray(a, [3, 2, 4, 5, 2]),
        ops.fromArray(b, [2, 1, 5, 2]),
      ),
    );
    expect(relError(gpu, exact)).toBeLessThan(1e-7); // float32 rounding of the inputs only
  });
});
