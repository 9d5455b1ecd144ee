// Seeded synthetic data, generated in memory.
//  classification: Gaussian clusters. Each class has a centre drawn from N(0, 2² I); a sample is
//    its class centre plus N(0, I). `noise` is the label-noise rate: that fraction of labels is
//    replaced by a uniformly random class.
//  regression: a random teacher network y = W2 tanh(W1 x + b1) + noise · N(0, I) with
//    x ~ N(0, I), W1 ~ N(0, 1/features), W2 ~ N(0, 1/hidden).
// The teacher/centres, the training set and the test set come from separate random streams,
// so changing train_size does not change the test samples.
import type { DataFacts, Dataset, SourceOf } from './dataset';
import { resolveNormalization } from './normalize';
import { Random } from './random';

const CENTER_SPREAD = 2;
const TEACHER_HIDDEN = 16;

export function syntheticFacts(spec: SourceOf<'synthetic'>): DataFacts {
  return {
    inputShape: [spec.features],
    task: spec.task,
    outputs: spec.outputs,
    trainCount: spec.train_size,
    testCount: spec.test_size,
    label: `synthetic ${spec.task} data`,
  };
}

interface Generated {
  x: Float32Array;
  labels?: Int32Array;
  targets?: Float32Array;
}

function clusters(spec: SourceOf<'synthetic'>, seed: number) {
  const rng = Random.forStream(seed, 'synthetic:model');
  const centers = new Float64Array(spec.outputs * spec.features);
  for (let i = 0; i < centers.length; i++) centers[i] = CENTER_SPREAD * rng.normal();
  return (count: number, stream: string): Generated => {
    const r = Random.forStream(seed, stream);
    const x = new Float32Array(count * spec.features);
    const labels = new Int32Array(count);
    for (let n = 0; n < count; n++) {
      const k = r.int(spec.outputs);
      for (let f = 0; f < spec.features; f++) {
        x[n * spec.features + f] = centers[k * spec.features + f] + r.normal();
      }
      // Both draws are always taken, so the noise level does not shift the stream.
      const flip = r.next();
      const other = r.int(spec.outputs);
      labels[n] = flip < spec.noise ? other : k;
    }
    return { x, labels };
  };
}

function teacher(spec: SourceOf<'synthetic'>, seed: number) {
  const rng = Random.forStream(seed, 'synthetic:model');
  const { features: F, outputs: C } = spec;
  const H = TEACHER_HIDDEN;
  const w1 = Float64Array.from({ length: H * F }, () => rng.normal() / Math.sqrt(F));
  const b1 = Float64Array.from({ length: H }, () => 0.5 * rng.normal());
  const w2 = Float64Array.from({ length: C * H }, () => rng.normal() / Math.sqrt(H));
  return (count: number, stream: string): Generated => {
    const r = Random.forStream(seed, stream);
    const x = new Float32Array(count * F);
    const targets = new Float32Array(count * C);
    const hidden = new Float64Array(H);
    for (let n = 0; n < count; n++) {
      for (let f = 0; f < F; f++) x[n * F + f] = r.normal();
      for (let h = 0; h < H; h++) {
        let s = b1[h];
        for (let f = 0; f < F; f++) s += w1[h * F + f] * x[n * F + f];
        hidden[h] = Math.tanh(s);
      }
      for (let c = 0; c < C; c++) {
        let s = 0;
        for (let h = 0; h < H; h++) s += w2[c * H + h] * hidden[h];
        targets[n * C + c] = s + spec.noise * r.normal();
      }
    }
    return { x, targets };
  };
}

export function generateSynthetic(spec: SourceOf<'synthetic'>, seed: number): Dataset {
  const generate = spec.task === 'classification' ? clusters(spec, seed) : teacher(spec, seed);
  const train = generate(spec.train_size, 'synthetic:train');
  const test = generate(spec.test_size, 'synthetic:test');
  return {
    description: `synthetic ${spec.task} (${spec.features} features, ${spec.outputs} ${
      spec.task === 'classification' ? 'classes' : 'outputs'
    }, ${spec.train_size} train, ${spec.test_size} test)`,
    inputShape: [spec.features],
    sampleSize: spec.features,
    task: spec.task,
    outputs: spec.outputs,
    scale: 1,
    normalization: resolveNormalization(spec.normalize, train.x, 1),
    train: { count: spec.train_size, ...train },
    test: { count: spec.test_size, ...test },
  };
}
