// A device eigensolve that fails (a lost device, a pipeline the driver rejects) costs the step a
// host solve, never the step. The failure is simulated: an Ops whose device solver throws the
// solver's own error — a real GPU failure cannot be provoked on demand here (the solver's
// reaction to a real WebGPU error is tested in tests/vivit/linalg/webgpu-eigen.test.ts).
import * as tf from '@tensorflow/tfjs';
import { beforeAll, expect, it } from 'vitest';
import { computeCurvature } from '../../../src/vivit/curvature';
import { DeviceEigenError } from '../../../src/vivit/linalg/webgpu/symmetric-eigen-webgpu';
import type { Ops } from '../../../src/vivit/tensor/ops';
import { tfjsOps } from '../../../src/vivit/tensor/tfjs-ops';
import { randomCase, tinyNetworks } from '../../oracle';
import { caseModel, relErr } from './case-model';
import { liveTensorCount } from '../helpers';

beforeAll(() => tf.setBackend('cpu'));

it('a failing device solver falls back to the host, with the same results', async () => {
  const net = tinyNetworks().find((t) => t.name === 'mlp-relu')!;
  const c = randomCase({
    model: net.model,
    inputShape: net.inputShape,
    N: 10,
    loss: 'mse',
    seed: 2,
  });
  let attempts = 0;
  const failing: Ops<tf.Tensor> = {
    ...tfjsOps,
    deviceEigensolver: () => ({
      unsupported: () => null,
      solve: () => {
        attempts++;
        return Promise.reject(new DeviceEigenError('the device eigensolver failed: device lost'));
      },
    }),
  };
  const options = {
    quantities: ['eigenvalues', 'gammas', 'lambdas', 'newtonStep'] as const,
    damping: 1,
  };
  const host = caseModel(tfjsOps, c);
  const expected = await computeCurvature(host.model, host.batch, {
    ...options,
    quantities: [...options.quantities],
    eigensolver: 'host',
  });
  const before = liveTensorCount();
  const device = caseModel(failing, c);
  const got = await computeCurvature(device.model, device.batch, {
    ...options,
    quantities: [...options.quantities],
    eigensolver: 'device',
  });
  tf.dispose([...host.model.params, host.batch.x, host.batch.y]);
  tf.dispose([...device.model.params, device.batch.x, device.batch.y]);
  expect(liveTensorCount()).toBeLessThanOrEqual(before);
  expect(attempts).toBe(1);
  expect(got.eigensolver).toBe('host');
  const [g, h] = [got.groups[0], expected.groups[0]];
  expect(relErr(g.eigenvalues, h.eigenvalues)).toBeLessThan(1e-12);
  expect(relErr(g.gammaMean!, h.gammaMean!)).toBeLessThan(1e-12);
  expect(relErr(g.lambdaMean!, h.lambdaMean!)).toBeLessThan(1e-12);
});
