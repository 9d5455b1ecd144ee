// The trainer on the wasm backend (what the app trains with) follows the same trajectory as
// on the cpu backend, whose steps trainer.test.ts checks against tf.grad.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import type { LayerSpec } from '../../src/protocol/definition';
import { createTrainer, initWasmBackend } from '../../src/vivit/index';
import { randn, relError } from './helpers';

const layers: LayerSpec[] = [
  {
    type: 'conv2d',
    in_channels: 1,
    out_channels: 4,
    kernel_size: 3,
    stride: 1,
    padding: 1,
    bias: true,
  },
  { type: 'relu' },
  { type: 'maxpool2d', kernel_size: 2, stride: 2, padding: 0 },
  {
    type: 'conv2d',
    in_channels: 4,
    out_channels: 6,
    kernel_size: 3,
    stride: 2,
    padding: 'same',
    bias: true,
  },
  { type: 'elu', alpha: 1 },
  { type: 'avgpool2d', kernel_size: 2, stride: 1, padding: 'valid' },
  { type: 'flatten' },
  { type: 'dropout', p: 0.2 },
  { type: 'linear', in: 24, out: 10, bias: true },
];

async function trajectory() {
  const trainer = createTrainer({
    layers,
    inputShape: [1, 12, 12],
    loss: 'cross_entropy',
    optimizer: { type: 'adam', lr: 0.01, betas: [0.9, 0.999], eps: 1e-8, weight_decay: 0 },
    seed: 5,
  });
  const x = randn([16, 1, 12, 12], 1);
  const y = tf.tensor1d(
    Array.from({ length: 16 }, (_, i) => i % 10),
    'int32',
  );
  const losses: number[] = [];
  for (let i = 0; i < 4; i++) losses.push((await trainer.trainStep(x, y)).loss);
  const evaluation = await trainer.evaluate(x, y);
  const params = (await trainer.readParameters()).map((p) => p.data);
  trainer.dispose();
  tf.dispose([x, y]);
  return { losses, evaluation, params };
}

describe('trainer on wasm', () => {
  it('matches the cpu backend step for step', async () => {
    await initWasmBackend();
    const wasm = await trajectory();
    await tf.setBackend('cpu');
    const cpu = await trajectory();
    expect(relError(wasm.losses, cpu.losses)).toBeLessThan(1e-4);
    expect(wasm.evaluation.loss).toBeCloseTo(cpu.evaluation.loss, 4);
    wasm.params.forEach((p, i) => expect(relError(p, cpu.params[i])).toBeLessThan(1e-4));
    // It trained: the loss moved.
    expect(cpu.losses[3]).toBeLessThan(cpu.losses[0]);
  });
});
