import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, it } from 'vitest';
import { useCpuBackend } from '../helpers';
import { checkLayer } from './harness';

beforeAll(useCpuBackend);

describe('tanh', () => {
  for (const inShape of [[7], [2, 3, 4]]) {
    it(`forward and backward on [${inShape}]`, () => {
      checkLayer({ name: 'tanh', spec: { type: 'tanh' }, inShape, reference: (x) => tf.tanh(x) });
    });
  }
});
