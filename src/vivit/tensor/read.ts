// Reading several tensors back to the host in one round trip. On a GPU every read waits for the
// device and copies through a staging buffer, so the engine gathers what it needs into one
// flat tensor where it can (the per-parameter gradient, a lifted step) and splits it here.
import type { Ops } from './ops';

/** The values of each tensor, read with a single `ops.read`. */
export async function readAll<T>(
  ops: Ops<T>,
  tensors: readonly T[],
): Promise<(Float32Array | Float64Array)[]> {
  if (tensors.length === 0) return [];
  if (tensors.length === 1) return [await ops.read(tensors[0])];
  const sizes = tensors.map((t) => ops.shape(t).reduce((a, b) => a * b, 1));
  const flat = ops.tidy(() =>
    ops.concat(
      tensors.map((t, i) => ops.reshape(t, [sizes[i]])),
      0,
    ),
  );
  let data: Float32Array | Float64Array;
  try {
    data = await ops.read(flat);
  } finally {
    ops.dispose(flat);
  }
  const out: (Float32Array | Float64Array)[] = [];
  let offset = 0;
  for (const size of sizes) {
    out.push(data.subarray(offset, offset + size));
    offset += size;
  }
  return out;
}

/** A float64 host copy of `t` times `scale` (one read). */
export async function scaledCopy<T>(ops: Ops<T>, t: T, scale: number): Promise<Float64Array> {
  const data = await ops.read(t);
  const out = new Float64Array(data.length);
  for (let i = 0; i < data.length; i++) out[i] = scale * data[i];
  return out;
}
