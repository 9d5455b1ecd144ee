// The weights of a Keras / tfjs-layers model.json: its weightsManifest lists groups of binary
// shards (concatenated in order), each group holding named tensors back to back, little-endian.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { formatShape } from '../../../vivit/spec';
import { ModelImportError } from './model-file';

export interface KerasWeight {
  name: string;
  shape: number[];
  values: Float64Array;
}

const BYTES: Record<string, number> = { float32: 4, int32: 4, uint8: 1 };

const isObj = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Reads every weight the manifest lists; `path` is the model.json (shards are beside it). */
export function readKerasWeights(
  manifest: unknown,
  path: string,
  file: string,
): Map<string, KerasWeight> {
  const weights = new Map<string, KerasWeight>();
  if (manifest === undefined) return weights;
  const where = 'weightsManifest';
  if (!Array.isArray(manifest)) {
    throw new ModelImportError(file, where, 'expected a list of {paths, weights} groups');
  }
  manifest.forEach((group: unknown, g) => {
    const at = `${where}[${g}]`;
    if (!isObj(group) || !Array.isArray(group.paths) || !Array.isArray(group.weights)) {
      throw new ModelImportError(file, at, 'expected {paths: [...], weights: [...]}');
    }
    const shards = (group.paths as unknown[]).map((p) => {
      if (typeof p !== 'string' || p === '')
        throw new ModelImportError(
          file,
          `${at}.paths`,
          `expected file names, got ${JSON.stringify(p)}`,
        );
      const shard = resolve(dirname(path), p);
      try {
        return readFileSync(shard);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        throw new ModelImportError(
          file,
          `${at}.paths`,
          `missing weights: cannot read shard '${p}' (${code === 'ENOENT' ? 'file not found' : String(e)}); keep the .bin files next to model.json`,
        );
      }
    });
    const data = Buffer.concat(shards);
    const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
    let offset = 0;
    (group.weights as unknown[]).forEach((entry: unknown, k) => {
      const wAt = `${at}.weights[${k}]`;
      if (!isObj(entry) || typeof entry.name !== 'string' || !Array.isArray(entry.shape)) {
        throw new ModelImportError(file, wAt, 'expected {name, shape, dtype}');
      }
      const name = entry.name;
      const shape = entry.shape as unknown[];
      if (!shape.every((d) => typeof d === 'number' && Number.isSafeInteger(d) && d >= 0)) {
        throw new ModelImportError(
          file,
          `weight '${name}'`,
          `shape ${JSON.stringify(shape)} is not a list of sizes`,
        );
      }
      const dims = shape as number[];
      const dtype = typeof entry.dtype === 'string' ? entry.dtype : 'float32';
      if (entry.quantization !== undefined) {
        throw new ModelImportError(
          file,
          `weight '${name}'`,
          'quantized weights are not supported; convert the model without quantization (float32)',
        );
      }
      const width = BYTES[dtype];
      if (width === undefined || dtype !== 'float32') {
        throw new ModelImportError(
          file,
          `weight '${name}'`,
          `dtype ${dtype} is not supported; supported: float32 weights`,
        );
      }
      const count = dims.reduce((a, b) => a * b, 1);
      const end = offset + count * width;
      if (end > data.length) {
        throw new ModelImportError(
          file,
          `weight '${name}'`,
          `truncated weights: ${formatShape(dims)} float32 needs bytes ${offset}..${end} of the shards (${(group.paths as string[]).join(', ')}), which hold ${data.length}`,
        );
      }
      const values = new Float64Array(count);
      for (let i = 0; i < count; i++) values[i] = view.getFloat32(offset + 4 * i, true);
      offset = end;
      weights.set(name, { name, shape: dims, values });
    });
    if (offset !== data.length) {
      throw new ModelImportError(
        file,
        at,
        `the shards hold ${data.length} bytes but the listed weights use ${offset}: the manifest does not describe these .bin files`,
      );
    }
  });
  return weights;
}
