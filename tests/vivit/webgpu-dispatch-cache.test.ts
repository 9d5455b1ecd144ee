// The dispatch cache (uniform buffers kept by content, bind groups by pipeline and buffers) must
// not change a single bit of what tfjs-backend-webgpu computes: the same training run with the
// cache switched off (tfjs 4.22's own recording) and on gives identical losses and parameters.
// Runs on webgpu (llvmpipe here, as in CI).
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LayerSpec, LossName, OptimizerSpec } from '../../src/protocol/definition';
import { initWebGpuBackend, webGpuDispatchCache } from '../../src/vivit/backend-webgpu';
import { createTrainer } from '../../src/vivit/trainer';

beforeAll(async () => {
  await initWebGpuBackend({ allowSoftware: true });
}, 120_000);
afterAll(() => {
  const cache = webGpuDispatchCache();
  if (cache) cache.enabled = true;
  return tf.setBackend('cpu');
});

interface Run {
  losses: number[];
  params: Float32Array[];
}

async function train(
  layers: LayerSpec[],
  inputShape: number[],
  loss: LossName,
  optimizer: OptimizerSpec,
  batchSizes: number[],
): Promise<Run> {
  const trainer = createTrainer({ layers, inputShape, loss, optimizer, seed: 3 });
  const losses: number[] = [];
  for (const [step, n] of batchSizes.entries()) {
    const { x, y } = tf.tidy(() => {
      const x = tf.randomUniform([n, ...inputShape], -1, 1, 'float32', 10 + step);
      const classes = layers.at(-1) as { out: number };
      const y =
        loss === 'cross_entropy'
          ? tf.cast(tf.floor(tf.randomUniform([n], 0, classes.out, 'float32', 20 + step)), 'int32')
          : tf.randomNormal([n, classes.out], 0, 1, 'float32', 30 + step);
      return { x, y };
    });
    losses.push((await trainer.trainStep(x, y)).loss);
    tf.dispose([x, y]);
  }
  const params = (await trainer.readParameters()).map((p) => p.data);
  trainer.dispose();
  return { losses, params };
}

async function withAndWithout(run: () => Promise<Run>): Promise<{ off: Run; on: Run }> {
  const cache = webGpuDispatchCache();
  expect(cache).not.toBeNull();
  cache!.enabled = false;
  const off = await run();
  cache!.enabled = true;
  const before = { ...cache! };
  const on = await run();
  // The cache was used, and repeated kernels found their uniforms and bind groups again.
  expect(cache!.kernels - before.kernels).toBeGreaterThan(100);
  expect(cache!.uniformHits - before.uniformHits).toBeGreaterThan(50);
  expect(cache!.bindGroupHits - before.bindGroupHits).toBeGreaterThan(0);
  return { off, on };
}

const sgd: OptimizerSpec = {
  type: 'sgd',
  lr: 0.05,
  momentum: 0.9,
  weight_decay: 1e-3,
  nesterov: true,
};
const adam: OptimizerSpec = {
  type: 'adam',
  lr: 1e-3,
  betas: [0.9, 0.999],
  eps: 1e-8,
  weight_decay: 0,
};

describe('webgpu dispatch cache', () => {
  it('is installed on the webgpu backend', () => {
    expect(tf.getBackend()).toBe('webgpu');
    expect(webGpuDispatchCache()?.enabled).toBe(true);
  });

  it('changes no bit of an MLP run (cross-entropy, SGD, changing batch sizes)', async () => {
    const layers: LayerSpec[] = [
      { type: 'flatten' },
      { type: 'linear', in: 48, out: 40, bias: true },
      { type: 'tanh' },
      { type: 'linear', in: 40, out: 7, bias: true },
    ];
    const { off, on } = await withAndWithout(() =>
      train(layers, [3, 4, 4], 'cross_entropy', sgd, [16, 16, 9, 16, 16, 9]),
    );
    expect(on.losses).toEqual(off.losses);
    on.params.forEach((p, i) => expect(p).toEqual(off.params[i]));
    // A run whose result would not depend on the step would pass trivially: it does.
    expect(new Set(on.losses).size).toBeGreaterThan(1);
  }, 120_000);

  it('changes no bit of a CNN run (mse, Adam)', async () => {
    const layers: LayerSpec[] = [
      {
        type: 'conv2d',
        in_channels: 2,
        out_channels: 4,
        kernel_size: 3,
        stride: 1,
        padding: 1,
        bias: true,
      },
      { type: 'relu' },
      { type: 'maxpool2d', kernel_size: 2, stride: 2, padding: 0 },
      { type: 'flatten' },
      { type: 'linear', in: 4 * 3 * 3, out: 5, bias: true },
    ];
    const { off, on } = await withAndWithout(() =>
      train(layers, [2, 6, 6], 'mse', adam, [8, 8, 8, 5]),
    );
    expect(on.losses).toEqual(off.losses);
    on.params.forEach((p, i) => expect(p).toEqual(off.params[i]));
  }, 120_000);

  it('binds the uniforms of the shapes at hand: same buffers under another shape', async () => {
    // 3072 elements: above tfjs's CPU hand-off size, so these run on the GPU. The second
    // transpose reads the same buffer under another shape and (the first result disposed)
    // writes into the same pooled buffer: only the uniforms tell the two apart.
    const [rows, cols] = [64, 48];
    const values = Float32Array.from({ length: rows * cols }, (_, i) => i);
    const a = tf.tensor2d(values, [rows, cols]);
    const expectTransposeOf = async (t: tf.Tensor2D) => {
      const [r, c] = t.shape;
      const out = tf.transpose(t);
      const got = (await out.data()) as Float32Array;
      out.dispose();
      const want = new Float32Array(r * c);
      for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) want[j * r + i] = values[i * c + j];
      expect(got).toEqual(want);
    };
    for (let round = 0; round < 2; round++) {
      await expectTransposeOf(a);
      await expectTransposeOf(tf.reshape(a, [cols, rows]));
    }
    a.dispose();
  });

  it('lays out the uniforms of rank-6 kernels as tfjs does', async () => {
    // Rank 6: strides have 5 entries, after which WGSL's alignment of the next field changes.
    const shape = [2, 3, 4, 5, 3, 4];
    const size = shape.reduce((p, d) => p * d, 1);
    const x = tf.tensor(
      Float32Array.from({ length: size }, (_, i) => i % 17),
      shape,
    );
    const y = tf.tensor(
      Float32Array.from({ length: 4 }, (_, i) => 100 * i),
      [1, 1, 1, 1, 1, 4],
    );
    for (let round = 0; round < 2; round++) {
      const sum = tf.add(x, y);
      const got = (await sum.data()) as Float32Array;
      sum.dispose();
      expect(got).toEqual(Float32Array.from({ length: size }, (_, i) => (i % 17) + 100 * (i % 4)));
    }
    tf.dispose([x, y]);
  });

  it('leaves tf.profile (timed kernels) working', async () => {
    const a = tf.randomNormal([64, 64], 0, 1, 'float32', 1);
    const info = await tf.profile(async () => {
      const s = tf.sum(tf.matMul(a, a));
      await s.data();
      s.dispose();
    });
    expect(info.kernels.map((k) => k.name)).toEqual(['BatchMatMul', 'Sum']);
    a.dispose();
  });
});
