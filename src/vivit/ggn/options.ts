// Checks of a curvature request's options and batch that need no computation, with messages
// that name the field.

import { CurvatureInputError } from '../errors';

export const QUANTITIES = [
  'eigenvalues',
  'eigenvectors',
  'gammas',
  'lambdas',
  'snr',
  'overlap',
  'newtonStep',
  'layerShares',
] as const;

export type CurvatureQuantity = (typeof QUANTITIES)[number];

export function checkQuantities(list: unknown): Set<CurvatureQuantity> {
  if (!Array.isArray(list) || list.length === 0) {
    throw new CurvatureInputError(
      'options.quantities',
      `must be a non-empty list of ${QUANTITIES.join(', ')}`,
    );
  }
  list.forEach((q, i) => {
    if (!(QUANTITIES as readonly unknown[]).includes(q)) {
      throw new CurvatureInputError(
        `options.quantities[${i}]`,
        `unknown quantity ${JSON.stringify(q)} (expected one of ${QUANTITIES.join(', ')})`,
      );
    }
  });
  return new Set(list as CurvatureQuantity[]);
}

/** Sample indices into a batch of N (null/undefined = all samples, returned as null). */
export function checkSamples(
  list: readonly number[] | null | undefined,
  batch: number,
  field: string,
): number[] | null {
  if (list === null || list === undefined) return null;
  if (!Array.isArray(list) || list.length === 0) {
    throw new CurvatureInputError(field, 'must be null or a non-empty list of sample indices');
  }
  list.forEach((s, i) => {
    if (!Number.isInteger(s) || s < 0 || s >= batch) {
      throw new CurvatureInputError(
        `${field}[${i}]`,
        `${String(s)} is not a sample index of the batch of ${batch} (0..${batch - 1})`,
      );
    }
  });
  return [...list];
}

export function checkInteger(value: unknown, field: string, min: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    throw new CurvatureInputError(field, `must be an integer >= ${min}, got ${String(value)}`);
  }
  return value;
}

export function checkNonNegative(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new CurvatureInputError(field, `must be a finite number >= 0, got ${String(value)}`);
  }
  return value;
}
