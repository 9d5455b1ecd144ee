import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { engineShape, inversePermutation, permute } from '../../../src/vivit/nn/layout';
import { randn, useCpuBackend } from '../helpers';

beforeAll(useCpuBackend);

describe('layout conversions', () => {
  it('permute equals tf.transpose, and the inverse permutation undoes it', () => {
    const shape = [2, 3, 4, 5];
    const x = randn(shape, 1);
    for (const perm of [
      [2, 3, 1, 0],
      [3, 2, 0, 1],
      [0, 2, 3, 1],
      [1, 0, 2, 3],
    ]) {
      const moved = permute(x.dataSync(), shape, perm);
      expect(Array.from(moved)).toEqual(Array.from(tf.transpose(x, perm).dataSync()));
      const back = permute(
        moved,
        perm.map((p) => shape[p]),
        inversePermutation(perm),
      );
      expect(Array.from(back)).toEqual(Array.from(x.dataSync()));
    }
    expect(() => permute([1, 2, 3], [2, 2], [1, 0])).toThrow(/do not fill/);
  });

  it('images are [H, W, C] inside the engine, everything else unchanged', () => {
    expect(engineShape([3, 28, 27])).toEqual([28, 27, 3]);
    expect(engineShape([784])).toEqual([784]);
    expect(engineShape([4, 5])).toEqual([4, 5]);
  });
});
