// Bad requests get a CurvatureInputError naming the field; nothing is returned (bad labels are
// found with the first read, after the forward pass).

import { describe, expect, test } from 'vitest';
import { computeCurvature, type CurvatureOptions } from '../../../src/vivit/curvature';
import { CurvatureInputError } from '../../../src/vivit/errors';
import { float64Ops } from '../../../src/vivit/tensor/float64-ops';
import { randomCase, tinyNetworks } from '../../oracle';
import { caseModel } from './case-model';

const net = tinyNetworks()[0];
const c = randomCase({
  model: net.model,
  inputShape: net.inputShape,
  N: 4,
  loss: 'cross_entropy',
  seed: 1,
});
const { model, batch } = caseModel(float64Ops, c);

describe('options', () => {
  test.each<[string, Partial<CurvatureOptions>, RegExp]>([
    ['no quantity', { quantities: [] }, /options\.quantities: must be a non-empty list/],
    [
      'unknown quantity',
      { quantities: ['eigenvalues', 'hessian' as never] },
      /options\.quantities\[1\]: unknown quantity "hessian"/,
    ],
    [
      'group index out of range',
      { groups: [[0, 1], [9]] },
      /options\.groups\[1\]\[0\]: 9 is not a parameter index \(the model has 4 parameters, 0\.\.3\)/,
    ],
    [
      'parameter in two groups',
      {
        groups: [
          [0, 1],
          [1, 2],
        ],
      },
      /options\.groups\[1\]\[0\]: parameter 1 is already in options\.groups\[0\]/,
    ],
    ['empty group', { groups: [[]] }, /options\.groups\[0\]: must be a non-empty list/],
    [
      'subsampling out of range',
      { subsampling: [0, 4] },
      /options\.subsampling\[1\]: 4 is not a sample index of the batch of 4/,
    ],
    [
      'empty subsampling',
      { subsampling: [] },
      /options\.subsampling: must be null or a non-empty list/,
    ],
    [
      'fractional γ sample',
      { subsamplingGrad: [1.5] },
      /options\.subsamplingGrad\[0\]: 1\.5 is not a sample index/,
    ],
    ['negative MC samples', { mcSamples: -1 }, /options\.mcSamples: must be an integer >= 0/],
    ['zero topK', { topK: 0 }, /options\.topK: must be an integer >= 1/],
    ['negative eigRtol', { eigRtol: -1 }, /options\.eigRtol: must be a finite number >= 0/],
    [
      'unknown sign rule',
      { signs: 'positive' as never },
      /options\.signs: must be 'largest-entry' or 'gradient'/,
    ],
    [
      'bad eigenvector index',
      { eigenvectorIndices: [0, -1] },
      /options\.eigenvectorIndices\[1\]: must be an integer >= 0/,
    ],
  ])('%s', async (_title, options, message) => {
    const run = () => computeCurvature(model, batch, { quantities: ['eigenvalues'], ...options });
    await expect(run()).rejects.toThrow(CurvatureInputError);
    await expect(run()).rejects.toThrow(message);
  });
});

describe('batch', () => {
  test('input of the wrong shape', async () => {
    const x = float64Ops.fromArray(new Float64Array(4 * 5), [4, 5]);
    await expect(
      computeCurvature(model, { x, y: batch.y }, { quantities: ['eigenvalues'] }),
    ).rejects.toThrow(/batch\.x: has shape \[4, 5\], expected \[N, 4\]/);
  });

  test('labels that are not class indices', async () => {
    const y = float64Ops.fromArray([0, 1, 3, 2], [4]);
    await expect(
      computeCurvature(model, { x: batch.x, y }, { quantities: ['eigenvalues'] }),
    ).rejects.toThrow(
      /batch\.y\[2\]: 3 is not a class index in \[0, 2\] \(the model has 3 outputs\)/,
    );
  });

  test('targets for the wrong loss', async () => {
    const y = float64Ops.fromArray(new Float64Array(12), [4, 3]);
    await expect(
      computeCurvature(model, { x: batch.x, y }, { quantities: ['eigenvalues'] }),
    ).rejects.toThrow(/batch\.y: has shape \[4, 3\], expected \[4\] class indices/);
    const mseModel = { ...model, loss: 'mse' as const };
    await expect(
      computeCurvature(mseModel, batch, { quantities: ['eigenvalues'] }),
    ).rejects.toThrow(/batch\.y: has shape \[4\], expected \[4, 3\]/);
  });

  test('parameters that do not match the network', async () => {
    const short = { ...model, params: model.params.slice(1) };
    await expect(computeCurvature(short, batch, { quantities: ['eigenvalues'] })).rejects.toThrow(
      /model\.params: has 3 tensors, the network has 4 parameters/,
    );
  });
});
