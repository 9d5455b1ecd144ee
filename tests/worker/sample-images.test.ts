// Pictures of the samples that dominate an inspected direction: which samples, and their pixels
// in the [H, W, C] byte order a canvas wants, for byte and float data.
import { describe, expect, it } from 'vitest';
import type { Dataset } from '../../src/worker/data/dataset';
import { dominantPositions, dominantSampleImages } from '../../src/worker/curvature/sample-images';

function dataset(inputShape: number[], x: Uint8Array | Float32Array): Dataset {
  const size = inputShape.reduce((a, b) => a * b, 1);
  const count = x.length / size;
  return {
    description: 'test data',
    inputShape,
    sampleSize: size,
    task: 'classification',
    outputs: 2,
    scale: 1,
    normalization: { mean: 0, std: 1 },
    train: { count, x, labels: new Int32Array(count) },
    test: { count: 0, x: new Uint8Array(0), labels: new Int32Array(0) },
  };
}

describe('dominant samples', () => {
  it('takes the largest |γ_nk|, then the largest λ_nk, without repeats', () => {
    const gammas = [0.1, -3, 2, 0.5, NaN];
    const lambdas = [9, 1, 0.5, 8, 7];
    expect(dominantPositions(gammas, lambdas, 2)).toEqual([1, 2, 0, 3]);
    expect(dominantPositions(gammas, lambdas, 3)).toEqual([1, 2, 3, 0, 4]);
    // Ties go to the lower position.
    expect(dominantPositions([1, -1, 1], [0, 0, 0], 2)).toEqual([0, 1]);
  });
});

describe('sample images', () => {
  const record = (indices: number[]) => ({
    gammas: Float64Array.from(indices, (_, n) => n + 1), // the last sample dominates
    lambdas: Float64Array.from(indices, () => 0),
    sampleIndices: indices,
  });

  it('copies grey byte images of the right training samples', () => {
    // 3 samples of 1×2×2: sample s has pixels 10s, 10s+1, 10s+2, 10s+3.
    const x = Uint8Array.from({ length: 12 }, (_, i) => 10 * Math.floor(i / 4) + (i % 4));
    const images = dominantSampleImages(dataset([1, 2, 2], x), record([2, 0]))!;
    expect(images).toMatchObject({ width: 2, height: 2, channels: 1, positions: [1, 0] });
    expect(Array.from(images.pixels)).toEqual([0, 1, 2, 3, 20, 21, 22, 23]);
  });

  it('interleaves RGB channels (PyTorch [C, H, W] → canvas [H, W, C])', () => {
    // One 3×1×2 sample: R = (1, 2), G = (3, 4), B = (5, 6).
    const images = dominantSampleImages(dataset([3, 1, 2], Uint8Array.of(1, 2, 3, 4, 5, 6)), {
      gammas: Float64Array.of(1),
      lambdas: Float64Array.of(1),
      sampleIndices: [0],
    })!;
    expect(Array.from(images.pixels)).toEqual([1, 3, 5, 2, 4, 6]);
  });

  it('stretches float images to 0..255 per image', () => {
    const x = Float32Array.of(-1, 0, 1, 0.5, 7, 7, 7, 7); // a ramp and a constant image
    const images = dominantSampleImages(dataset([1, 2, 2], x), record([0, 1]))!;
    expect(images.positions).toEqual([1, 0]);
    expect(Array.from(images.pixels)).toEqual([0, 0, 0, 0, 0, 128, 255, 191]);
  });

  it('sends none for data that is not images', () => {
    expect(dominantSampleImages(dataset([4], new Float32Array(8)), record([0, 1]))).toBeUndefined();
    expect(
      dominantSampleImages(dataset([2, 2, 2], new Uint8Array(16)), record([0, 1])),
    ).toBeUndefined();
  });
});
