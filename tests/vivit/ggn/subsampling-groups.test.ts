// Curvature sub-sampling (GGN on a subset S of the batch, γ on another subset) and parameter
// groups (block-diagonal GGN) against the oracle restricted the same way.

import { afterAll, expect, test } from 'vitest';
import { computeCurvature } from '../../../src/vivit/curvature';
import { layerwiseGroups } from '../../../src/vivit/ggn/groups';
import { float64Ops } from '../../../src/vivit/tensor/float64-ops';
import {
  bruteForceCurvature,
  randomCase,
  tinyNetworks,
  type RandomCaseOptions,
} from '../../oracle';
import {
  caseModel,
  caseOptions,
  flat,
  formatErrors,
  maxErrors,
  oracleErrors,
  type OracleErrors,
} from './case-model';

const RTOL = 1e-8;
const seen: OracleErrors[] = [];
afterAll(() =>
  console.info(`max relative errors vs restricted oracle: ${formatErrors(maxErrors(seen))}`),
);

const byName = (name: string) => {
  const net = tinyNetworks().find((n) => n.name === name);
  if (!net) throw new Error(name);
  return net;
};

type Variant = { title: string; net: string } & Partial<RandomCaseOptions>;

const variants: Variant[] = [
  { title: 'GGN on an unordered subset', net: 'mlp-tanh', subsampling: [4, 1, 3] },
  { title: 'γ on a subset', net: 'mlp-relu', subsampling_grad: [0, 2, 5, 6] },
  {
    title: 'both subsets, repeated index',
    net: 'mlp-sigmoid',
    subsampling: [6, 1, 1, 2],
    subsampling_grad: [3, 5],
  },
  { title: 'weight and bias in separate groups', net: 'mlp-elu', param_groups: [[0], [1, 2], [3]] },
  {
    title: 'groups given unsorted',
    net: 'mlp-leaky_relu',
    param_groups: [
      [3, 2],
      [1, 0],
    ],
  },
  { title: 'parameters outside every group', net: 'mlp-deep-nobias', param_groups: [[1, 2]] },
  {
    title: 'CNN, layer-wise groups and both subsets',
    net: 'cnn-zeropad-maxpool-padded',
    param_groups: [
      [0, 1],
      [2, 3],
    ],
    subsampling: [0, 2, 3, 6],
    subsampling_grad: [1, 2, 5],
  },
  {
    title: 'CNN, conv weight alone',
    net: 'cnn-maxpool',
    param_groups: [[0], [2, 3]],
    subsampling: [5, 0],
  },
];

test.each(
  variants.flatMap((v) => (['cross_entropy', 'mse'] as const).map((loss) => ({ ...v, loss }))),
)('$title ($net, $loss)', async ({ title: _title, net: name, loss, ...fields }) => {
  const net = byName(name);
  const c = randomCase({
    model: net.model,
    inputShape: net.inputShape,
    N: 7,
    loss,
    seed: 5,
    damping: 0.5,
    ...fields,
  });
  const oracle = bruteForceCurvature(c);
  const { model, batch } = caseModel(float64Ops, c);
  const result = await computeCurvature(model, batch, {
    ...caseOptions(c),
    quantities: ['eigenvalues', 'eigenvectors', 'gammas', 'lambdas', 'newtonStep'],
  });
  expect(result.samples.ggn).toEqual(c.subsampling ?? [0, 1, 2, 3, 4, 5, 6]);
  expect(result.samples.grad).toEqual(c.subsampling_grad ?? [0, 1, 2, 3, 4, 5, 6]);
  const errors = oracleErrors(result, oracle);
  seen.push(errors);
  for (const [quantity, err] of Object.entries(errors)) {
    expect(err, `${quantity}: relative error ${err}`).toBeLessThan(RTOL);
  }
});

test('layerwiseGroups gives one group per parameterized layer, and the block-diagonal GGN', async () => {
  const net = byName('cnn-avgpool-padded');
  const c = randomCase({
    model: net.model,
    inputShape: net.inputShape,
    N: 4,
    loss: 'cross_entropy',
    seed: 8,
  });
  const { model, batch, network } = caseModel(float64Ops, c);
  const groups = layerwiseGroups(network);
  expect(groups).toEqual([
    [0, 1],
    [2, 3],
  ]);
  const oracle = bruteForceCurvature({ ...c, param_groups: groups });
  const result = await computeCurvature(model, batch, {
    ...caseOptions(c),
    groups,
    quantities: ['eigenvalues', 'newtonStep'],
  });
  expect(result.groups.map((g) => g.layers)).toEqual([[0], [4]]);
  const errors = oracleErrors(result, oracle);
  expect(errors.eigenvalues).toBeLessThan(RTOL);
  expect(errors.newtonStep).toBeLessThan(RTOL);
});

test('parameters in no group get a zero Newton step; the gradient still covers them', async () => {
  const net = byName('mlp-relu');
  const c = randomCase({
    model: net.model,
    inputShape: net.inputShape,
    N: 5,
    loss: 'mse',
    seed: 9,
    param_groups: [[2, 3]],
  });
  const { model, batch } = caseModel(float64Ops, c);
  const r = await computeCurvature(model, batch, { ...caseOptions(c), quantities: ['newtonStep'] });
  const step = r.newtonStep ?? [];
  expect(step[0].every((v) => v === 0) && step[1].every((v) => v === 0)).toBe(true);
  expect(flat([step[2], step[3]]).some((v) => v !== 0)).toBe(true);
  expect(r.gradient[0].some((v) => v !== 0)).toBe(true);
});
