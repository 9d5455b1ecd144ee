import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { DataSpec } from '../../src/protocol/definition';
import { BatchSource } from '../../src/worker/data/batches';
import type { Dataset } from '../../src/worker/data/dataset';
import { loadMnist } from '../../src/worker/data/mnist';
import { affineOf, meanStd, resolveNormalization } from '../../src/worker/data/normalize';
import { Random } from '../../src/worker/data/random';
import {
  batchesPerEpoch,
  epochOrder,
  evalIndices,
  gatherFeatures,
  gatherTargets,
} from '../../src/worker/data/sampling';
import { generateSynthetic } from '../../src/worker/data/synthetic';

type Synthetic = Extract<DataSpec, { source: 'synthetic' }>;
const synthetic = (overrides: Partial<Synthetic> = {}): Synthetic => ({
  source: 'synthetic',
  task: 'classification',
  features: 4,
  outputs: 3,
  train_size: 300,
  test_size: 50,
  noise: 0,
  normalize: 'none',
  ...overrides,
});

/** A hand-made dataset with known raw values. */
function tinyDataset(): Dataset {
  return {
    description: 'tiny',
    inputShape: [1, 1, 2],
    sampleSize: 2,
    task: 'classification',
    outputs: 3,
    scale: 1 / 255,
    normalization: { mean: 0.5, std: 0.25 },
    train: {
      count: 3,
      x: Uint8Array.from([0, 255, 51, 102, 255, 0]),
      labels: Int32Array.from([2, 0, 1]),
    },
    test: { count: 1, x: Uint8Array.from([0, 0]), labels: Int32Array.from([1]) },
  };
}

describe('normalization', () => {
  it('computes mean and population std in float64, in scaled units', () => {
    const values = Uint8Array.from([0, 255, 255, 0]);
    const { mean, std } = meanStd(values, 1 / 255);
    expect(mean).toBeCloseTo(0.5, 12);
    expect(std).toBeCloseTo(0.5, 12);
  });

  it('standard / none / explicit', () => {
    const values = Float32Array.from([1, 2, 3, 4]);
    const standard = resolveNormalization('standard', values, 1);
    expect(standard.mean).toBeCloseTo(2.5, 12);
    expect(standard.std).toBeCloseTo(Math.sqrt(1.25), 12);
    expect(resolveNormalization('none', values, 1)).toEqual({ mean: 0, std: 1 });
    expect(resolveNormalization({ mean: 0.1307, std: 0.3081 }, values, 1)).toEqual({
      mean: 0.1307,
      std: 0.3081,
    });
    // constant data: centred, not divided by zero
    expect(resolveNormalization('standard', Float32Array.from([3, 3]), 1)).toEqual({
      mean: 3,
      std: 1,
    });
  });

  it('applies (raw * scale - mean) / std when gathering features', () => {
    const data = tinyDataset();
    const x = gatherFeatures(data, data.train, [2, 0]);
    const expected = [255, 0, 0, 255].map((raw) => (raw / 255 - 0.5) / 0.25);
    expect(Array.from(x)).toEqual(expected.map((v) => Math.fround(v)));
    const { a, b } = affineOf(data.normalization, data.scale);
    expect(a).toBeCloseTo(1 / 255 / 0.25, 15);
    expect(b).toBeCloseTo(-2, 15);
  });

  it('standardized MNIST training pixels have mean 0 and std 1 (torchvision constants)', async () => {
    const mnist = await loadMnist({ source: 'mnist', normalize: 'standard' });
    // torchvision's MNIST normalization (0.1307, 0.3081) is exactly this statistic.
    expect(mnist.normalization.mean).toBeCloseTo(0.1307, 4);
    expect(mnist.normalization.std).toBeCloseTo(0.3081, 4);
    // Over all 60000 normalized training images (in chunks, accumulated in float64).
    let sum = 0;
    let sumSq = 0;
    for (let start = 0; start < 60000; start += 5000) {
      const chunk = gatherFeatures(
        mnist,
        mnist.train,
        Int32Array.from({ length: 5000 }, (_, i) => start + i),
      );
      for (const v of chunk) {
        sum += v;
        sumSq += v * v;
      }
    }
    const n = 60000 * 784;
    expect(Math.abs(sum / n)).toBeLessThan(1e-5);
    expect(Math.sqrt(sumSq / n - (sum / n) ** 2)).toBeCloseTo(1, 5);
  });
});

describe('targets', () => {
  it('class indices for cross_entropy, one-hot for mse on labels', () => {
    const data = tinyDataset();
    expect(gatherTargets(data, data.train, [0, 2], 'cross_entropy')).toEqual({
      kind: 'labels',
      values: Int32Array.from([2, 1]),
    });
    expect(gatherTargets(data, data.train, [0, 2], 'mse')).toEqual({
      kind: 'matrix',
      columns: 3,
      values: Float32Array.from([0, 0, 1, 0, 1, 0]),
    });
  });

  it('regression targets are gathered row by row', () => {
    const data = generateSynthetic(synthetic({ task: 'regression', outputs: 2 }), 1);
    const t = gatherTargets(data, data.train, [5, 1], 'mse');
    expect(t.kind).toBe('matrix');
    const all = data.train.targets!;
    expect(Array.from(t.values)).toEqual([all[10], all[11], all[2], all[3]]);
    expect(() => gatherTargets(data, data.train, [0], 'cross_entropy')).toThrow(/class labels/);
  });
});

describe('seeded shuffling and eval subset', () => {
  it('each epoch is a permutation, the same for the same seed and different across epochs/seeds', () => {
    const a = epochOrder(1000, 7, 0);
    expect(Array.from(a).sort((x, y) => x - y)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect(epochOrder(1000, 7, 0)).toEqual(a);
    expect(epochOrder(1000, 7, 1)).not.toEqual(a);
    expect(epochOrder(1000, 8, 0)).not.toEqual(a);
    // not the identity: a shuffle that does nothing would pass the checks above for epoch 0
    const fixedPoints = Array.from(a).filter((v, i) => v === i).length;
    expect(fixedPoints).toBeLessThan(10);
  });

  it('positions are uniform: each index lands in the first half about half of the time', () => {
    const counts = new Array(10).fill(0);
    for (let epoch = 0; epoch < 2000; epoch++) {
      const order = epochOrder(10, 3, epoch);
      for (let i = 0; i < 5; i++) counts[order[i]]++;
    }
    // Binomial(2000, 0.5): sd ≈ 22; allow 5 sd.
    for (const c of counts) expect(Math.abs(c - 1000)).toBeLessThan(112);
  });

  it('the eval subset is fixed per seed, sorted, without repeats', () => {
    const s = evalIndices(10000, 0, 1000);
    expect(s).toHaveLength(1000);
    expect(new Set(s).size).toBe(1000);
    expect(Array.from(s)).toEqual(Array.from(s).sort((x, y) => x - y));
    expect(evalIndices(10000, 0, 1000)).toEqual(s);
    expect(evalIndices(10000, 1, 1000)).not.toEqual(s);
    expect(Array.from(evalIndices(5, 0))).toEqual([0, 1, 2, 3, 4]);
  });

  it('drops the last incomplete batch of an epoch', () => {
    expect(batchesPerEpoch(60000, 128)).toBe(468);
    expect(batchesPerEpoch(64, 64)).toBe(1);
  });

  it('the PRNG is deterministic per (seed, stream) and uniform', () => {
    const draw = (seed: number, stream: string) => {
      const r = Random.forStream(seed, stream);
      return Array.from({ length: 5 }, () => r.next());
    };
    expect(draw(1, 'a')).toEqual(draw(1, 'a'));
    const r = Random.forStream(1, 'a');
    const r2 = Random.forStream(1, 'b');
    expect(r.next()).not.toBe(r2.next());
    let sum = 0;
    for (let i = 0; i < 10000; i++) sum += r.int(10);
    expect(sum / 10000).toBeGreaterThan(4.4);
    expect(sum / 10000).toBeLessThan(4.6);
  });
});

describe('synthetic data', () => {
  it('is identical for the same seed and differs for another seed', () => {
    const a = generateSynthetic(synthetic(), 5);
    const b = generateSynthetic(synthetic(), 5);
    const c = generateSynthetic(synthetic(), 6);
    expect(b.train.x).toEqual(a.train.x);
    expect(b.train.labels).toEqual(a.train.labels);
    expect(b.test.x).toEqual(a.test.x);
    expect(c.train.x).not.toEqual(a.train.x);
  });

  it('the test set does not depend on train_size', () => {
    const a = generateSynthetic(synthetic({ train_size: 100 }), 5);
    const b = generateSynthetic(synthetic({ train_size: 200 }), 5);
    expect(b.test.x).toEqual(a.test.x);
  });

  it('classification clusters are separable: nearest class mean classifies well', () => {
    const data = generateSynthetic(synthetic({ features: 6, outputs: 4, train_size: 2000 }), 2);
    const F = 6;
    const K = 4;
    const means = new Float64Array(K * F);
    const counts = new Float64Array(K);
    for (let n = 0; n < data.train.count; n++) {
      const k = data.train.labels![n];
      counts[k]++;
      for (let f = 0; f < F; f++) means[k * F + f] += data.train.x[n * F + f];
    }
    for (let k = 0; k < K; k++) {
      expect(counts[k]).toBeGreaterThan(400); // classes are balanced in expectation (500 each)
      for (let f = 0; f < F; f++) means[k * F + f] /= counts[k];
    }
    let correct = 0;
    for (let n = 0; n < data.test.count; n++) {
      let best = -1;
      let bestDist = Infinity;
      for (let k = 0; k < K; k++) {
        let d = 0;
        for (let f = 0; f < F; f++) d += (data.test.x[n * F + f] - means[k * F + f]) ** 2;
        if (d < bestDist) [best, bestDist] = [k, d];
      }
      if (best === data.test.labels![n]) correct++;
    }
    expect(correct / data.test.count).toBeGreaterThan(0.85);
  });

  it('label noise flips about the requested fraction of labels', () => {
    const clean = generateSynthetic(synthetic({ train_size: 4000 }), 3);
    const noisy = generateSynthetic(synthetic({ train_size: 4000, noise: 0.3 }), 3);
    // The generator draws the same numbers whatever the noise level, so the samples line up.
    let same = 0;
    let differ = 0;
    for (let n = 0; n < 4000; n++) {
      if (noisy.train.x[n * 4] !== clean.train.x[n * 4]) break;
      if (noisy.train.labels![n] === clean.train.labels![n]) same++;
      else differ++;
    }
    // With noise 0.3 and 3 classes a label changes with probability 0.3 · 2/3 = 0.2.
    expect(same + differ).toBe(4000);
    expect(differ / 4000).toBeGreaterThan(0.17);
    expect(differ / 4000).toBeLessThan(0.23);
  });

  it('regression targets follow the teacher: the noise level shows in the residual', () => {
    // The same seed gives the same teacher and inputs; only the noise differs.
    const clean = generateSynthetic(
      synthetic({ task: 'regression', outputs: 2, noise: 0, train_size: 2000 }),
      4,
    );
    const noisy = generateSynthetic(
      synthetic({ task: 'regression', outputs: 2, noise: 0.5, train_size: 2000 }),
      4,
    );
    expect(noisy.train.x).toEqual(clean.train.x);
    let sq = 0;
    for (let i = 0; i < 4000; i++) sq += (noisy.train.targets![i] - clean.train.targets![i]) ** 2;
    expect(Math.sqrt(sq / 4000)).toBeGreaterThan(0.45);
    expect(Math.sqrt(sq / 4000)).toBeLessThan(0.55);
    // targets are not constant: the teacher varies with x
    const t = clean.train.targets!;
    const m = t.reduce((s, v) => s + v, 0) / t.length;
    expect(t.reduce((s, v) => s + (v - m) ** 2, 0) / t.length).toBeGreaterThan(0.05);
  });
});

describe('MNIST and tensor batches', () => {
  let mnist: Dataset;
  beforeAll(async () => {
    mnist = await loadMnist({
      source: 'mnist',
      normalize: 'none',
      train_size: 1000,
      test_size: 100,
    });
    await tf.setBackend('cpu');
  });

  it('loads the bundled files with limits, labels 0..9', () => {
    expect(mnist.train.count).toBe(1000);
    expect(mnist.test.count).toBe(100);
    expect(mnist.train.x.length).toBe(1000 * 784);
    // The first training digits of MNIST are 5, 0, 4, 1, 9; the first test digits 7, 2, 1, 0, 4.
    expect(Array.from(mnist.train.labels!.subarray(0, 5))).toEqual([5, 0, 4, 1, 9]);
    expect(Array.from(mnist.test.labels!.subarray(0, 5))).toEqual([7, 2, 1, 0, 4]);
  });

  it('builds batches in PyTorch layout with the right dtypes', () => {
    const source = new BatchSource(mnist, 'cross_entropy', 32, 0);
    expect(source.batchesPerEpoch).toBe(31);
    const batch = source.batch(0);
    expect(batch.x.shape).toEqual([32, 1, 28, 28]);
    expect(batch.x.dtype).toBe('float32');
    expect(batch.y.shape).toEqual([32]);
    expect(batch.y.dtype).toBe('int32');
    const x = batch.x.dataSync();
    expect(Math.min(...x)).toBe(0);
    expect(Math.max(...x)).toBe(1); // 'none' leaves the 1/255 scaling, like ToTensor
    // the batch holds exactly the samples of the epoch-0 order
    const order = epochOrder(1000, 0, 0);
    expect(Array.from(batch.y.dataSync())).toEqual(
      Array.from(order.subarray(0, 32)).map((i) => mnist.train.labels![i]),
    );
    tf.dispose([batch.x, batch.y]);

    const oneHot = new BatchSource(mnist, 'mse', 8, 0).batch(1);
    expect(oneHot.y.shape).toEqual([8, 10]);
    expect(oneHot.y.dtype).toBe('float32');
    expect(Array.from(oneHot.y.sum(1).dataSync())).toEqual(new Array(8).fill(1));
    tf.dispose([oneHot.x, oneHot.y]);
  });

  it('same seed, same batches; step 31 starts epoch 1 with a new order', () => {
    const a = new BatchSource(mnist, 'cross_entropy', 32, 9);
    const b = new BatchSource(mnist, 'cross_entropy', 32, 9);
    const ya = a.batch(31).y.dataSync();
    const yb = b.batch(31).y.dataSync();
    expect(Array.from(ya)).toEqual(Array.from(yb));
    expect(a.epochOf(30)).toBe(0);
    expect(a.epochOf(31)).toBe(1);
    const epoch1 = epochOrder(1000, 9, 1);
    expect(Array.from(ya)).toEqual(
      Array.from(epoch1.subarray(0, 32)).map((i) => mnist.train.labels![i]),
    );
  });

  it('the eval set is the fixed subset', () => {
    const source = new BatchSource(mnist, 'cross_entropy', 32, 0);
    const set = source.evalSet(40);
    expect(set.count).toBe(40);
    expect(set.x.shape).toEqual([40, 1, 28, 28]);
    const idx = evalIndices(100, 0, 40);
    expect(Array.from(set.y.dataSync())).toEqual(Array.from(idx).map((i) => mnist.test.labels![i]));
    tf.dispose([set.x, set.y]);
  });
});
