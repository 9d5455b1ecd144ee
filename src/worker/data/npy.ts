// Reader for NumPy's .npy format (np.save): the magic "\x93NUMPY", a version, a header length,
// a Python dict literal {'descr': '<f4', 'fortran_order': False, 'shape': (N, 28, 28), } and the
// values in C order. Decoded into the same {type, dims, data} arrays the IDX reader gives, so
// both file formats share one dataset builder (array-dataset.ts). Errors name the file.
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { IdxArray, IdxDataType } from './idx';

export class NpyError extends Error {
  constructor(
    readonly file: string,
    detail: string,
  ) {
    super(`${file}: ${detail}`);
    this.name = 'NpyError';
  }
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

/** NumPy kind + size -> what the data becomes. int64 is read and narrowed to int32 (labels). */
const DTYPES: Record<string, { type: IdxDataType; bytes: number; int64?: boolean }> = {
  u1: { type: 'uint8', bytes: 1 },
  i1: { type: 'int8', bytes: 1 },
  i2: { type: 'int16', bytes: 2 },
  i4: { type: 'int32', bytes: 4 },
  i8: { type: 'int32', bytes: 8, int64: true },
  f4: { type: 'float32', bytes: 4 },
  f8: { type: 'float64', bytes: 8 },
};
const SUPPORTED =
  'float32, float64, uint8 (features or labels) and int8/int16/int32/int64 (labels)';

export interface NpyHeader {
  type: IdxDataType;
  dims: number[];
  /** Bytes before the data. */
  headerBytes: number;
  littleEndian: boolean;
  /** Bytes per stored value (8 for int64). */
  width: number;
  int64: boolean;
}

/** Parses the header; `fileSize` is checked against the shape. */
export function parseNpyHeader(
  bytes: Uint8Array,
  file: string,
  fileSize = bytes.length,
): NpyHeader {
  if (fileSize === 0) throw new NpyError(file, 'the file is empty (expected a .npy file)');
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) {
    throw new NpyError(
      file,
      'not a .npy file: it does not start with \\x93NUMPY (save arrays with numpy.save)',
    );
  }
  const major = bytes[6];
  if (major < 1 || major > 3)
    throw new NpyError(file, `unknown .npy format version ${major}.${bytes[7]}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lengthBytes = major === 1 ? 2 : 4;
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const headerBytes = 8 + lengthBytes + headerLength;
  if (bytes.length < headerBytes) {
    throw new NpyError(
      file,
      `truncated header: it declares ${headerLength} bytes, the file has ${Math.max(0, bytes.length - 8 - lengthBytes)}`,
    );
  }
  const text = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(
    bytes.subarray(8 + lengthBytes, headerBytes),
  );
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(text)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(text)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(text)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) {
    throw new NpyError(
      file,
      `unreadable header ${JSON.stringify(text.trim())}: expected descr, fortran_order and shape`,
    );
  }
  if (fortran === 'True') {
    throw new NpyError(
      file,
      'the array is in Fortran order; supported: C order (save numpy.ascontiguousarray(x))',
    );
  }
  const match = /^([<>|=]?)([a-zA-Z]\d+)$/.exec(descr);
  const dtype = match ? DTYPES[match[2]] : undefined;
  if (!match || !dtype)
    throw new NpyError(file, `dtype '${descr}' is not supported; supported: ${SUPPORTED}`);
  const dims = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map(Number);
  if (dims.length === 0)
    throw new NpyError(file, 'the array is a scalar; expected [N, ...] samples');
  if (dims.some((d) => !Number.isSafeInteger(d) || d < 0))
    throw new NpyError(file, `shape (${shapeText}) is not a list of sizes`);
  const count = dims.reduce((a, b) => a * b, 1);
  const dataBytes = count * dtype.bytes;
  const actual = fileSize - headerBytes;
  if (actual < dataBytes) {
    throw new NpyError(
      file,
      `truncated: the header promises shape (${dims.join(', ')}) of ${descr} (${dataBytes} bytes) but the file has only ${actual} bytes of data`,
    );
  }
  if (actual > dataBytes) {
    throw new NpyError(
      file,
      `corrupt: ${actual - dataBytes} unexpected bytes after the data the header declares`,
    );
  }
  return {
    type: dtype.type,
    dims,
    headerBytes,
    littleEndian: match[1] !== '>',
    width: dtype.bytes,
    int64: dtype.int64 ?? false,
  };
}

/** Decodes a whole .npy file already in memory. */
export function decodeNpy(bytes: Uint8Array, file: string): IdxArray {
  const h = parseNpyHeader(bytes, file);
  const count = h.dims.reduce((a, b) => a * b, 1);
  const view = new DataView(bytes.buffer, bytes.byteOffset + h.headerBytes, count * h.width);
  const le = h.littleEndian;
  const read = <A extends { [i: number]: number }>(out: A, get: (at: number) => number): A => {
    for (let i = 0; i < count; i++) out[i] = get(i * h.width);
    return out;
  };
  switch (h.type) {
    case 'uint8':
      return {
        type: h.type,
        dims: h.dims,
        data: bytes.slice(h.headerBytes, h.headerBytes + count),
      };
    case 'int8':
      return {
        type: h.type,
        dims: h.dims,
        data: read(new Int8Array(count), (at) => view.getInt8(at)),
      };
    case 'int16':
      return {
        type: h.type,
        dims: h.dims,
        data: read(new Int16Array(count), (at) => view.getInt16(at, le)),
      };
    case 'int32': {
      if (!h.int64)
        return {
          type: h.type,
          dims: h.dims,
          data: read(new Int32Array(count), (at) => view.getInt32(at, le)),
        };
      const data = new Int32Array(count);
      for (let i = 0; i < count; i++) {
        const v = view.getBigInt64(i * 8, le);
        if (v > 2147483647n || v < -2147483648n)
          throw new NpyError(file, `int64 value ${v} at index ${i} is too large for a label`);
        data[i] = Number(v);
      }
      return { type: h.type, dims: h.dims, data };
    }
    case 'float32':
      return {
        type: h.type,
        dims: h.dims,
        data: read(new Float32Array(count), (at) => view.getFloat32(at, le)),
      };
    case 'float64':
      return {
        type: h.type,
        dims: h.dims,
        data: read(new Float64Array(count), (at) => view.getFloat64(at, le)),
      };
  }
}

function describeFsError(file: string, e: unknown): NpyError {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT') return new NpyError(file, 'file not found');
  if (code === 'EISDIR') return new NpyError(file, 'is a directory, expected a .npy file');
  return new NpyError(file, `cannot read the file (${e instanceof Error ? e.message : String(e)})`);
}

/** Reads and checks only the header (and the file size). */
export function readNpyHeader(file: string): NpyHeader {
  let fd: number | undefined;
  try {
    const stat = statSync(file);
    if (stat.isDirectory()) throw new NpyError(file, 'is a directory, expected a .npy file');
    fd = openSync(file, 'r');
    const buffer = new Uint8Array(Math.min(stat.size, 1 << 16));
    const read = readSync(fd, buffer, 0, buffer.length, 0);
    return parseNpyHeader(buffer.subarray(0, read), file, stat.size);
  } catch (e) {
    if (e instanceof NpyError) throw e;
    throw describeFsError(file, e);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

export async function readNpy(file: string): Promise<IdxArray> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(file);
  } catch (e) {
    throw describeFsError(file, e);
  }
  return decodeNpy(bytes, file);
}

/** Encodes values as a version 1.0 .npy file, little-endian (tests, examples, conversions). */
export function encodeNpy(
  descr: '<f4' | '<f8' | '|u1' | '<i8' | '<i4',
  dims: number[],
  values: ArrayLike<number>,
): Uint8Array {
  const shape = dims.length === 1 ? `(${dims[0]},)` : `(${dims.join(', ')})`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shape}, }`;
  // The data starts at a multiple of 64 bytes; the header ends with a newline.
  const pad = 64 - ((10 + header.length + 1) % 64);
  header += ' '.repeat(pad % 64) + '\n';
  const width = descr === '|u1' ? 1 : descr === '<f4' || descr === '<i4' ? 4 : 8;
  const out = new Uint8Array(10 + header.length + values.length * width);
  out.set(MAGIC, 0);
  out[6] = 1;
  const view = new DataView(out.buffer);
  view.setUint16(8, header.length, true);
  out.set(new TextEncoder().encode(header), 10);
  const at = 10 + header.length;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (descr === '|u1') view.setUint8(at + i, v);
    else if (descr === '<f4') view.setFloat32(at + 4 * i, v, true);
    else if (descr === '<f8') view.setFloat64(at + 8 * i, v, true);
    else if (descr === '<i4') view.setInt32(at + 4 * i, v, true);
    else view.setBigInt64(at + 8 * i, BigInt(v), true);
  }
  return out;
}
