import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { useCpuBackend } from '../helpers';
import { buildLayer, checkLayer } from './harness';

beforeAll(useCpuBackend);

// PyTorch: y = x Wᵀ + b with W [out, in].
const reference = (x: tf.Tensor, [w, b]: tf.Tensor[]) => {
  const y = tf.matMul(x, w, false, true);
  return b ? tf.add(y, b) : y;
};

describe('linear', () => {
  it('forward and backward, with bias', () => {
    checkLayer({
      name: 'bias',
      spec: { type: 'linear', in: 7, out: 5, bias: true },
      inShape: [7],
      reference,
      n: 4,
    });
  });

  it('forward and backward, without bias', () => {
    checkLayer({
      name: 'no bias',
      spec: { type: 'linear', in: 3, out: 6, bias: false },
      inShape: [3],
      reference,
      n: 3,
    });
  });

  it('stores the weight as [in, out] and reports PyTorch shapes', () => {
    const layer = buildLayer({ type: 'linear', in: 4, out: 2, bias: true }, [4]);
    expect(layer.params.map((p) => [p.name, p.shape, p.torchShape])).toEqual([
      ['weight', [4, 2], [2, 4]],
      ['bias', [2], [2]],
    ]);
  });
});
