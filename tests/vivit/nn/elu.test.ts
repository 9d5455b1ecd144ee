import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, it } from 'vitest';
import { useCpuBackend } from '../helpers';
import { checkLayer } from './harness';

beforeAll(useCpuBackend);

describe('elu', () => {
  it('forward and backward, alpha 1 (tf.elu)', () => {
    checkLayer({
      name: 'elu',
      spec: { type: 'elu', alpha: 1 },
      inShape: [2, 3, 4],
      reference: (x) => tf.elu(x),
    });
  });

  it('forward and backward, alpha 0.5 (closed form)', () => {
    checkLayer({
      name: 'elu 0.5',
      spec: { type: 'elu', alpha: 0.5 },
      inShape: [9],
      n: 3,
      // step() has a (zero) gradient where comparison ops have none in tfjs.
      reference: (x) => {
        const positive = tf.step(x);
        return tf.add(
          tf.mul(positive, x),
          tf.mul(tf.sub(1, positive), tf.mul(0.5, tf.sub(tf.exp(x), 1))),
        );
      },
    });
  });
});
