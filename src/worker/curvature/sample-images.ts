// Images of the samples that dominate an inspected direction, for image data: the inspector
// shows what those samples look like next to their γ_nk and λ_nk. Only a handful are sent (the
// largest |γ_nk| and the largest λ_nk), so inspect records stay small in the log.
import type { InspectRecord, SampleImages } from '../../protocol/records';
import type { Dataset } from '../data/dataset';

/** Samples shown per criterion (largest |γ_nk|, largest λ_nk). */
export const DOMINANT_PER_CRITERION = 8;

/** Positions n (into γ_nk / λ_nk) of the largest |γ_nk| then the largest λ_nk, without repeats. */
export function dominantPositions(
  gammas: ArrayLike<number>,
  lambdas: ArrayLike<number>,
  count = DOMINANT_PER_CRITERION,
): number[] {
  const order = (key: (n: number) => number): number[] =>
    Array.from({ length: gammas.length }, (_, n) => n)
      .filter((n) => Number.isFinite(key(n)))
      .sort((a, b) => key(b) - key(a) || a - b)
      .slice(0, count);
  const byGamma = order((n) => Math.abs(gammas[n]));
  const byLambda = order((n) => lambdas[n]);
  return [...new Set([...byGamma, ...byLambda])];
}

/** [C, H, W] with 1 (grey) or 3 (RGB) channels: data that can be shown as pictures. */
function imageShape(dataset: Dataset): [number, number, number] | undefined {
  const [c, h, w] = dataset.inputShape;
  return dataset.inputShape.length === 3 && (c === 1 || c === 3) ? [c, h, w] : undefined;
}

/**
 * Pixels of the training samples `trainIndices`, as bytes in [H, W, C] order (what a canvas
 * wants). Byte data is copied as it is; other data is stretched per image to 0..255.
 */
function pixels(dataset: Dataset, trainIndices: number[], [c, h, w]: number[]): Uint8Array {
  const size = c * h * w;
  const out = new Uint8Array(trainIndices.length * size);
  const x = dataset.train.x;
  trainIndices.forEach((index, i) => {
    const sample = x.subarray(index * size, (index + 1) * size);
    let lo = 0;
    let scale = 1;
    if (!(x instanceof Uint8Array)) {
      lo = Infinity;
      let hi = -Infinity;
      for (const v of sample) {
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
      scale = hi > lo ? 255 / (hi - lo) : 0;
    }
    for (let ch = 0; ch < c; ch++) {
      for (let p = 0; p < h * w; p++) {
        out[i * size + p * c + ch] = Math.round((sample[ch * h * w + p] - lo) * scale);
      }
    }
  });
  return out;
}

/** The dominating samples' images of an inspect record, or undefined for non-image data. */
export function dominantSampleImages(
  dataset: Dataset,
  record: Pick<InspectRecord, 'gammas' | 'lambdas' | 'sampleIndices'>,
): SampleImages | undefined {
  const shape = imageShape(dataset);
  if (!shape) return undefined;
  const positions = dominantPositions(record.gammas, record.lambdas);
  const [channels, height, width] = shape;
  return {
    width,
    height,
    channels,
    positions,
    pixels: pixels(
      dataset,
      positions.map((n) => record.sampleIndices[n]),
      shape,
    ),
  };
}
