import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, it } from 'vitest';
import { useCpuBackend } from '../helpers';
import { checkLayer } from './harness';

beforeAll(useCpuBackend);

describe('relu', () => {
  for (const inShape of [[7], [2, 3, 4]]) {
    it(`forward and backward on [${inShape}]`, () => {
      checkLayer({ name: 'relu', spec: { type: 'relu' }, inShape, reference: (x) => tf.relu(x) });
    });
  }
});
