import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, it } from 'vitest';
import { useCpuBackend } from '../helpers';
import { checkLayer } from './harness';

beforeAll(useCpuBackend);

describe('leaky_relu', () => {
  for (const slope of [0.01, 0.3, -0.5]) {
    it(`forward and backward, negative_slope ${slope}`, () => {
      checkLayer({
        name: 'leaky',
        spec: { type: 'leaky_relu', negative_slope: slope },
        inShape: [2, 3, 4],
        reference: (x) => tf.leakyRelu(x, slope),
      });
    });
  }
});
