// computeCurvature on a live Trainer (what the worker will do): the trainer's own float32
// parameters on tfjs, against the float64 engine on copies of the same parameters; the
// trainer keeps training afterwards and no tensor is left behind.

import * as tf from '@tensorflow/tfjs';
import { beforeAll, expect, test } from 'vitest';
import type { LayerSpec } from '../../../src/protocol/definition';
import { computeCurvature } from '../../../src/vivit/curvature';
import { createTrainer } from '../../../src/vivit/trainer';
import { Network } from '../../../src/vivit/nn/network';
import { float64Ops } from '../../../src/vivit/tensor/float64-ops';
import { liveTensorCount, randn, useCpuBackend } from '../helpers';
import { flat, relErr } from './case-model';

const layers: LayerSpec[] = [
  {
    type: 'conv2d',
    in_channels: 1,
    out_channels: 3,
    kernel_size: 3,
    stride: 1,
    padding: 1,
    bias: true,
  },
  { type: 'relu' },
  { type: 'maxpool2d', kernel_size: 2, stride: 2, padding: 0 },
  { type: 'flatten' },
  { type: 'linear', in: 27, out: 4, bias: true },
];

beforeAll(useCpuBackend);

test('curvature of the live model, float32 against float64', async () => {
  const trainer = createTrainer({
    layers,
    inputShape: [1, 6, 6],
    loss: 'cross_entropy',
    optimizer: { type: 'sgd', lr: 0.1, momentum: 0, weight_decay: 0, nesterov: false },
    seed: 3,
  });
  const x = randn([6, 1, 6, 6], 1);
  const y = tf.tensor1d([0, 1, 2, 3, 1, 2], 'int32');
  await trainer.trainStep(x, y);
  const before = liveTensorCount();

  const options = {
    quantities: ['eigenvalues', 'gammas', 'newtonStep'] as const,
    signs: 'gradient' as const,
  };
  const live = await computeCurvature(
    trainer.curvatureModel(),
    { x, y },
    { ...options, quantities: [...options.quantities] },
  );
  expect(liveTensorCount()).toBe(before);

  const network = new Network(layers, [1, 6, 6]);
  const params = network.paramsFromTorch(
    float64Ops,
    (await trainer.readParameters()).map((p) => p.data),
  );
  const exact = await computeCurvature(
    { ops: float64Ops, network, params, loss: 'cross_entropy' },
    {
      x: float64Ops.fromArray(x.dataSync(), x.shape),
      y: float64Ops.fromArray(y.dataSync(), y.shape),
    },
    { ...options, quantities: [...options.quantities] },
  );
  expect(Math.abs(live.loss - exact.loss) / exact.loss).toBeLessThan(1e-6);
  expect(relErr(flat(live.gradient), flat(exact.gradient))).toBeLessThan(1e-5);
  const k = Math.min(5, exact.groups[0].eigenvalues.length);
  expect(
    relErr(live.groups[0].eigenvalues.subarray(0, k), exact.groups[0].eigenvalues.subarray(0, k)),
  ).toBeLessThan(1e-5);
  expect(relErr(flat(live.newtonStep!), flat(exact.newtonStep!))).toBeLessThan(1e-4);

  // Training goes on with the same parameters.
  expect((await trainer.trainStep(x, y)).loss).toBeGreaterThan(0);
  trainer.dispose();
  tf.dispose([x, y]);
});
