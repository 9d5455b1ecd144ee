import { describe, expect, it } from 'vitest';
import type { LayerSpec } from '../../src/protocol/definition';

type ConvSpec = Extract<LayerSpec, { type: 'conv2d' }>;
import { LayerShapeError, outputShapes } from '../../src/vivit/shapes';

const conv = (
  inC: number,
  outC: number,
  k: number,
  stride = 1,
  padding: number | 'same' | 'valid' = 0,
): ConvSpec => ({
  type: 'conv2d',
  in_channels: inC,
  out_channels: outC,
  kernel_size: k,
  stride,
  padding,
  bias: true,
});
const linear = (inF: number, outF: number): LayerSpec => ({
  type: 'linear',
  in: inF,
  out: outF,
  bias: true,
});
const maxpool = (k: number, stride = k, padding: number | 'same' = 0): LayerSpec => ({
  type: 'maxpool2d',
  kernel_size: k,
  stride,
  padding,
});

/** The LayerShapeError thrown by outputShapes (fails the test if none is thrown). */
function shapeError(layers: LayerSpec[], input: number[]): LayerShapeError {
  try {
    outputShapes(layers, input);
  } catch (e) {
    expect(e).toBeInstanceOf(LayerShapeError);
    return e as LayerShapeError;
  }
  throw new Error('expected a LayerShapeError');
}

describe('outputShapes', () => {
  it('follows an MLP and a CNN (PyTorch layouts)', () => {
    expect(
      outputShapes(
        [{ type: 'flatten' }, linear(784, 128), { type: 'relu' }, linear(128, 10)],
        [1, 28, 28],
      ),
    ).toEqual([[784], [128], [128], [10]]);
    // The curvature-case example network.
    expect(
      outputShapes(
        [conv(1, 4, 3, 1, 1), { type: 'relu' }, maxpool(2), { type: 'flatten' }, linear(64, 5)],
        [1, 8, 8],
      ),
    ).toEqual([[4, 8, 8], [4, 8, 8], [4, 4, 4], [64], [5]]);
  });

  it("computes strided, 'same' and zero-padded geometry", () => {
    expect(outputShapes([conv(3, 8, 3, 2, 1)], [3, 32, 31])).toEqual([[8, 16, 16]]);
    expect(outputShapes([conv(3, 8, 4, 2, 'same')], [3, 7, 9])).toEqual([[8, 4, 5]]);
    expect(outputShapes([maxpool(3, 2, 'same')], [2, 5, 6])).toEqual([[2, 3, 3]]);
    expect(outputShapes([{ type: 'zeropad2d', padding: [1, 2, 3, 4] }], [2, 5, 6])).toEqual([
      [2, 12, 9],
    ]);
    expect(
      outputShapes(
        [{ type: 'avgpool2d', kernel_size: [3, 2], stride: [1, 2], padding: [1, 0] }],
        [1, 4, 5],
      ),
    ).toEqual([[1, 4, 2]]);
  });

  it('names the layer, the field and both numbers when features do not match', () => {
    const e = shapeError(
      [conv(1, 4, 3, 1, 1), maxpool(2), { type: 'flatten' }, linear(100, 10)],
      [1, 28, 28],
    );
    expect(e.index).toBe(3);
    expect(e.field).toBe('in');
    expect(e.message).toBe('100 does not match the 784 features coming out of model[2] (flatten)');
  });

  it('reports a mismatch at the first layer against the input', () => {
    const e = shapeError([linear(10, 2)], [12]);
    expect([e.index, e.field, e.message]).toEqual([
      0,
      'in',
      '10 does not match the 12 features of the input',
    ]);
  });

  it('reports conv in_channels mismatches', () => {
    const e = shapeError([conv(1, 6, 3), { type: 'relu' }, conv(3, 8, 3)], [1, 10, 10]);
    expect([e.index, e.field]).toEqual([2, 'in_channels']);
    expect(e.message).toBe('3 does not match the 6 channels coming out of model[1] (relu)');
  });

  it('reports a kernel larger than the (padded) input', () => {
    const e = shapeError([conv(1, 2, 5)], [1, 3, 4]);
    expect([e.index, e.field]).toEqual([0, 'kernel_size']);
    expect(e.message).toMatch(/kernel 5x5 is larger than the 3x4 input/);
    const padded = shapeError([conv(1, 2, 3, 1, 1), maxpool(2), maxpool(2), maxpool(2)], [1, 4, 4]);
    expect([padded.index, padded.field]).toEqual([3, 'kernel_size']);
    expect(padded.message).toMatch(
      /kernel 2x2 is larger than the 1x1 input coming out of model\[2\] \(maxpool2d\)/,
    );
  });

  it('reports pooling padding beyond half the kernel (PyTorch rule)', () => {
    const e = shapeError([maxpool(2, 2, 2)], [1, 8, 8]);
    expect([e.index, e.field]).toEqual([0, 'padding']);
    expect(e.message).toMatch(/more than half/);
  });

  it('asks for a flatten between an image and a linear layer', () => {
    const e = shapeError([conv(1, 2, 3), linear(50, 10)], [1, 7, 7]);
    expect(e.index).toBe(1);
    expect(e.field).toBeUndefined();
    expect(e.message).toBe(
      'linear needs [features] but gets [2, 5, 5] coming out of model[0] (conv2d); add a flatten before it',
    );
  });

  it('says when an image layer gets features', () => {
    const e = shapeError([{ type: 'flatten' }, maxpool(2)], [1, 4, 4]);
    expect(e.index).toBe(1);
    expect(e.message).toBe(
      'maxpool2d needs an image [channels, height, width] but gets [16] coming out of model[0] (flatten)',
    );
  });

  it('rejects bad numbers in fields, naming the field', () => {
    const cases: [LayerSpec, string][] = [
      [conv(1, 2, 3, 0), 'stride'],
      [{ ...conv(1, 2, 3), kernel_size: [3, 0] }, 'kernel_size'],
      [{ ...conv(1, 2, 3), padding: -1 }, 'padding'],
      [
        { type: 'zeropad2d', padding: [1, -1, 0, 0] as [number, number, number, number] },
        'padding',
      ],
      [{ type: 'dropout', p: 1.5 }, 'p'],
      [{ ...conv(1, 2, 3), out_channels: 2.5 }, 'out_channels'],
      [{ type: 'leaky_relu', negative_slope: Number.NaN }, 'negative_slope'],
    ];
    for (const [spec, field] of cases) {
      const e = shapeError([spec], [1, 6, 6]);
      expect([e.index, e.field]).toEqual([0, field]);
    }
  });

  it('rejects a malformed input shape', () => {
    expect(() => outputShapes([], [0, 3])).toThrow(/input shape \[0, 3\]/);
    expect(() => outputShapes([], [1, 2, 3, 4])).toThrow(/input shape/);
  });
});
