// The curvature derivatives on tfjs's wasm backend (the default training backend) against
// float64 (agreement.ts), plus wasm's own batched-product path.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initWasmBackend } from '../../../src/vivit/backend-wasm';
import { float64Ops } from '../../../src/vivit/tensor/float64-ops';
import type { Ops } from '../../../src/vivit/tensor/ops';
import { tfjsOps } from '../../../src/vivit/tensor/tfjs-ops';
import { backendAgreementSuite } from './agreement';
import { randomValues, relativeError } from './setup';

beforeAll(initWasmBackend);

it('runs on the wasm backend', () => expect(tf.getBackend()).toBe('wasm'));

describe('batched matMul on wasm (split into single products above a size)', () => {
  for (const { name, a, b, ta, tb } of [
    { name: 'large batch entries', a: [3, 70, 60], b: [3, 60, 80], ta: false, tb: false },
    { name: 'rank 4, transposed A', a: [2, 2, 60, 70], b: [2, 2, 60, 80], ta: true, tb: false },
    { name: 'transposed B', a: [3, 70, 60], b: [3, 80, 60], ta: false, tb: true },
    { name: 'small entries (kernel loop)', a: [5, 4, 3], b: [5, 3, 6], ta: false, tb: false },
  ]) {
    it(name, () => {
      const da = randomValues(
        a.reduce((x, y) => x * y, 1),
        91,
      );
      const db = randomValues(
        b.reduce((x, y) => x * y, 1),
        92,
      );
      const both = <T>(ops: Ops<T>) => {
        const t = ops.tidy(() => ops.matMul(ops.fromArray(da, a), ops.fromArray(db, b), ta, tb));
        const shape = ops.shape(t);
        const values = Float64Array.from(ops.toArray(t));
        ops.dispose(t);
        return { shape, values };
      };
      const single = both(tfjsOps);
      const double = both(float64Ops);
      expect(single.shape).toEqual(double.shape);
      expect(relativeError(single.values, double.values)).toBeLessThan(1e-5);
    });
  }
});

backendAgreementSuite('wasm');
