// A loaded dataset, kept compact in memory: raw feature values (bytes stay bytes) plus the
// affine map that turns them into normalized float32 when a batch is built.
import { isAbsolute, resolve } from 'node:path';
import type { DataSpec } from '../../protocol/definition';

export type Task = 'classification' | 'regression';

export interface Split {
  count: number;
  /** Raw feature values, count × sampleSize, row-major (PyTorch layout per sample). */
  x: Uint8Array | Float32Array;
  /** Class indices (classification). */
  labels?: Int32Array;
  /** Targets, count × outputs (regression). */
  targets?: Float32Array;
}

export interface Dataset {
  /** Human-readable description for status lines. */
  description: string;
  /** Per-sample shape, PyTorch layout ([C, H, W] or [F]). */
  inputShape: number[];
  sampleSize: number;
  task: Task;
  /** Number of classes (classification) or target dimension (regression). */
  outputs: number;
  /** Raw values are multiplied by this first: 1/255 for byte images (like torchvision's ToTensor). */
  scale: number;
  /** Resolved normalization in scaled units: x = (raw * scale - mean) / std. */
  normalization: { mean: number; std: number };
  train: Split;
  test: Split;
}

/** What validation needs to know about a data source without loading it. */
export interface DataFacts {
  inputShape: number[];
  task: Task;
  outputs: number;
  trainCount: number;
  testCount: number;
  /** How to name the data in messages, e.g. "MNIST", "synthetic regression data". */
  label: string;
}

/** Paths in a definition are relative to the definition file's directory. */
export function resolveDataPath(path: string, baseDir: string): string {
  return isAbsolute(path) ? path : resolve(baseDir, path);
}

/** The spec of one source (a spec type may serve several: idx and npy share theirs). */
export type SourceOf<S extends DataSpec['source']> = DataSpec & { source: S };
