import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, it } from 'vitest';
import { useCpuBackend } from '../helpers';
import { checkLayer } from './harness';

beforeAll(useCpuBackend);

describe('zeropad2d', () => {
  it('forward and backward, padding [left, right, top, bottom] = [1, 2, 0, 3]', () => {
    checkLayer({
      name: 'zeropad',
      spec: { type: 'zeropad2d', padding: [1, 2, 0, 3] },
      inShape: [2, 3, 4],
      outShape: [2, 6, 7],
      reference: (x) =>
        tf.pad(x, [
          [0, 0],
          [0, 0],
          [0, 3],
          [1, 2],
        ]),
    });
  });
});
