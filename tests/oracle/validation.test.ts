// A malformed case gets a CaseError naming the field, never a crash deep inside the loops.
import { describe, expect, it } from 'vitest';
import { bruteForceCurvature, randomCase, tinyNetworks, type CurvatureCase } from './index';

const net = tinyNetworks().find((n) => n.name === 'cnn-maxpool')!;
const good = (): CurvatureCase =>
  randomCase({
    model: net.model,
    inputShape: net.inputShape,
    N: 3,
    loss: 'cross_entropy',
    seed: 1,
  });

describe('case validation', () => {
  it.each<[string, (c: CurvatureCase) => CurvatureCase, RegExp]>([
    [
      'param shape',
      (c) => ({
        ...c,
        params: c.params.map((p, i) => (i === 0 ? { ...p, shape: [2, 1, 2, 2] } : p)),
      }),
      /params\[0\]\.shape/,
    ],
    ['param count', (c) => ({ ...c, params: c.params.slice(1) }), /^params: the model needs 4/],
    [
      'data length',
      (c) => ({ ...c, input: { ...c.input, data: c.input.data.slice(1) } }),
      /^input: data has/,
    ],
    [
      'linear in',
      (c) => ({
        ...c,
        model: c.model.map((l, i) => (i === 4 ? { type: 'linear', in: 17, out: 3 } : l)),
      }),
      /model\[4\] \(linear\)\.in/,
    ],
    [
      'missing flatten',
      (c) => ({ ...c, model: c.model.filter((l) => l.type !== 'flatten') }),
      /model\[3\] \(linear\).*flatten/,
    ],
    [
      'conv channels',
      (c) => ({
        ...c,
        model: [
          { type: 'conv2d', in_channels: 3, out_channels: 2, kernel_size: 3, padding: 1 },
          ...c.model.slice(1),
        ],
      }),
      /in_channels/,
    ],
    [
      'unknown layer',
      (c) => ({
        ...c,
        model: [...c.model.slice(0, 1), { type: 'dropout' } as never, ...c.model.slice(1)],
      }),
      /model\[1\].*unknown layer type "dropout"/,
    ],
    [
      'class index',
      (c) => ({ ...c, target: { shape: [3], data: [0, 3, 1] } }),
      /target\.data\[1\]/,
    ],
    ['subsampling', (c) => ({ ...c, subsampling: [0, 5] }), /subsampling\[1\]/],
    [
      'param groups',
      (c) => ({
        ...c,
        param_groups: [
          [0, 1],
          [1, 2, 3],
        ],
      }),
      /param_groups\[1\]\[0\]/,
    ],
    ['loss', (c) => ({ ...c, loss: 'hinge' as never }), /^loss:/],
    [
      'non-finite',
      (c) => ({ ...c, params: c.params.map((p, i) => (i === 1 ? { ...p, data: [NaN, 0] } : p)) }),
      /params\[1\]\.data\[0\]/,
    ],
  ])('%s', (_, mutate, message) => {
    expect(() => bruteForceCurvature(mutate(good()))).toThrow(message);
  });
});
