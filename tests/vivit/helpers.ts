// Shared test utilities for the engine: seeded data, closeness checks, backend selection.
import * as tf from '@tensorflow/tfjs';
import { tfjsKeptTensorCount } from '../../src/vivit/tensor/tfjs-ops';
import { expect } from 'vitest';
import { Rng } from '../../src/vivit/random';

/** A float32 tensor of standard-normal values from a seeded stream. */
export function randn(shape: number[], seed: number, scale = 1): tf.Tensor {
  const rng = new Rng(seed, 'test-data');
  const n = shape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = scale * rng.normal();
  return tf.tensor(data, shape, 'float32');
}

/** Largest |a - b| relative to the largest |b| (or absolute when b is tiny). */
export function relError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  expect(actual.length).toBe(expected.length);
  let maxDiff = 0;
  let maxRef = 0;
  for (let i = 0; i < expected.length; i++) {
    maxDiff = Math.max(maxDiff, Math.abs(actual[i] - expected[i]));
    maxRef = Math.max(maxRef, Math.abs(expected[i]));
  }
  return maxDiff / Math.max(maxRef, 1e-6);
}

/** Asserts two tensors (or arrays) agree in shape and values to a relative tolerance. */
export function expectClose(
  actual: tf.Tensor | ArrayLike<number>,
  expected: tf.Tensor | ArrayLike<number>,
  tol = 1e-5,
): void {
  if (actual instanceof tf.Tensor && expected instanceof tf.Tensor) {
    expect(actual.shape).toEqual(expected.shape);
  }
  const a = actual instanceof tf.Tensor ? actual.dataSync() : actual;
  const e = expected instanceof tf.Tensor ? expected.dataSync() : expected;
  // A vacuous comparison (all zeros on both sides) would hide bugs; callers pick inputs
  // whose reference is non-trivial, and this makes sure of it.
  let nonZero = false;
  for (let i = 0; i < e.length; i++) if (e[i] !== 0) nonZero = true;
  expect(nonZero, 'reference is all zeros: the comparison would be vacuous').toBe(true);
  expect(relError(a, e)).toBeLessThan(tol);
}

/** Runs tests on tfjs's reference cpu backend. */
export async function useCpuBackend(): Promise<void> {
  await tf.setBackend('cpu');
  await tf.ready();
}

/** Live tfjs tensors, not counting those the image ops keep for reuse (tfjs-ops `constant`):
 *  what leak checks compare. */
export function liveTensorCount(): number {
  return tf.memory().numTensors - tfjsKeptTensorCount();
}
