import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, it } from 'vitest';
import { useCpuBackend } from '../helpers';
import { checkLayer } from './harness';

beforeAll(useCpuBackend);

describe('identity', () => {
  it('passes values and gradients through', () => {
    checkLayer({
      name: 'identity',
      spec: { type: 'identity' },
      inShape: [2, 3, 4],
      reference: (x) => tf.clone(x),
    });
  });
});
