// Reader for the IDX format (the MNIST file format): two zero bytes, a type code, the number of
// dimensions, the dimensions as big-endian uint32, then the values in big-endian row-major order.
// Errors name the file and say exactly what is wrong; they never leak a stack trace to users.
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';

export type IdxDataType = 'uint8' | 'int8' | 'int16' | 'int32' | 'float32' | 'float64';
export type IdxValues =
  Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;

const TYPE_CODES: Record<number, { type: IdxDataType; bytes: number }> = {
  0x08: { type: 'uint8', bytes: 1 },
  0x09: { type: 'int8', bytes: 1 },
  0x0b: { type: 'int16', bytes: 2 },
  0x0c: { type: 'int32', bytes: 4 },
  0x0d: { type: 'float32', bytes: 4 },
  0x0e: { type: 'float64', bytes: 8 },
};

export interface IdxHeader {
  type: IdxDataType;
  dims: number[];
  /** Bytes before the data. */
  headerBytes: number;
  /** Bytes the data must occupy according to the header. */
  dataBytes: number;
}

export interface IdxArray {
  type: IdxDataType;
  dims: number[];
  data: IdxValues;
}

export class IdxError extends Error {
  constructor(
    readonly file: string,
    detail: string,
  ) {
    super(`${file}: ${detail}`);
    this.name = 'IdxError';
  }
}

function hex(byte: number): string {
  return '0x' + byte.toString(16).padStart(2, '0');
}

/** Parses and checks the header; `fileSize` (when known) is checked against the dimensions. */
export function parseIdxHeader(
  bytes: Uint8Array,
  file: string,
  fileSize = bytes.length,
): IdxHeader {
  if (fileSize === 0) throw new IdxError(file, 'the file is empty (expected an IDX file)');
  if (bytes.length < 4) {
    throw new IdxError(
      file,
      `truncated IDX header: the file has ${bytes.length} bytes, the header needs at least 4`,
    );
  }
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    throw new IdxError(file, 'the file is gzip-compressed; decompress it first (e.g. gunzip)');
  }
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    throw new IdxError(
      file,
      `not an IDX file: the first two bytes must be 0x00 0x00, found ${hex(bytes[0])} ${hex(bytes[1])}`,
    );
  }
  const code = TYPE_CODES[bytes[2]];
  if (!code) {
    throw new IdxError(
      file,
      `unknown IDX data type code ${hex(bytes[2])} (known: 0x08 uint8, 0x09 int8, 0x0b int16, 0x0c int32, 0x0d float32, 0x0e float64)`,
    );
  }
  const rank = bytes[3];
  if (rank === 0) throw new IdxError(file, 'the IDX header declares 0 dimensions');
  const headerBytes = 4 + 4 * rank;
  if (bytes.length < headerBytes) {
    throw new IdxError(
      file,
      `truncated IDX header: ${rank} dimensions need ${headerBytes} header bytes, the file has ${Math.min(bytes.length, fileSize)}`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dims: number[] = [];
  for (let i = 0; i < rank; i++) dims.push(view.getUint32(4 + 4 * i, false));
  const dataBytes = dims.reduce((a, b) => a * b, 1) * code.bytes;
  const actual = fileSize - headerBytes;
  if (actual < dataBytes) {
    throw new IdxError(
      file,
      `truncated: the header promises ${dims.join('×')} ${code.type} values (${dataBytes} bytes) but the file has only ${actual} bytes of data`,
    );
  }
  if (actual > dataBytes) {
    throw new IdxError(
      file,
      `corrupt: ${actual - dataBytes} unexpected bytes after the ${dims.join('×')} ${code.type} values the header declares`,
    );
  }
  return { type: code.type, dims, headerBytes, dataBytes };
}

/** Decodes a whole IDX file already in memory. */
export function decodeIdx(bytes: Uint8Array, file: string): IdxArray {
  const header = parseIdxHeader(bytes, file);
  const { type, dims, headerBytes } = header;
  const count = dims.reduce((a, b) => a * b, 1);
  if (type === 'uint8') {
    // Copy into its own buffer so the caller does not keep the whole file buffer's slack alive.
    return { type, dims, data: bytes.slice(headerBytes, headerBytes + count) };
  }
  if (type === 'int8') {
    return {
      type,
      dims,
      data: new Int8Array(bytes.slice(headerBytes, headerBytes + count).buffer),
    };
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset + headerBytes, header.dataBytes);
  switch (type) {
    case 'int16': {
      const data = new Int16Array(count);
      for (let i = 0; i < count; i++) data[i] = view.getInt16(2 * i, false);
      return { type, dims, data };
    }
    case 'int32': {
      const data = new Int32Array(count);
      for (let i = 0; i < count; i++) data[i] = view.getInt32(4 * i, false);
      return { type, dims, data };
    }
    case 'float32': {
      const data = new Float32Array(count);
      for (let i = 0; i < count; i++) data[i] = view.getFloat32(4 * i, false);
      return { type, dims, data };
    }
    case 'float64': {
      const data = new Float64Array(count);
      for (let i = 0; i < count; i++) data[i] = view.getFloat64(8 * i, false);
      return { type, dims, data };
    }
  }
}

function describeFsError(file: string, e: unknown): IdxError {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT') return new IdxError(file, 'file not found');
  if (code === 'EISDIR') return new IdxError(file, 'is a directory, expected an IDX file');
  if (code === 'EACCES') return new IdxError(file, 'permission denied');
  return new IdxError(file, `cannot read the file (${e instanceof Error ? e.message : String(e)})`);
}

/** Reads and checks only the header (and the file size), without loading the data. */
export function readIdxHeader(file: string): IdxHeader {
  let fd: number | undefined;
  try {
    const stat = statSync(file);
    if (stat.isDirectory()) throw new IdxError(file, 'is a directory, expected an IDX file');
    fd = openSync(file, 'r');
    const buffer = new Uint8Array(Math.min(stat.size, 4 + 4 * 255));
    const read = readSync(fd, buffer, 0, buffer.length, 0);
    return parseIdxHeader(buffer.subarray(0, read), file, stat.size);
  } catch (e) {
    if (e instanceof IdxError) throw e;
    throw describeFsError(file, e);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Reads and decodes a whole IDX file. */
export async function readIdx(file: string): Promise<IdxArray> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(file);
  } catch (e) {
    throw describeFsError(file, e);
  }
  return decodeIdx(bytes, file);
}

/** Encodes values as an IDX file (for tests and for users converting data). */
export function encodeIdx(
  type: IdxDataType,
  dims: number[],
  values: ArrayLike<number>,
): Uint8Array {
  const entry = Object.entries(TYPE_CODES).find(([, c]) => c.type === type);
  if (!entry) throw new Error(`unknown IDX type ${type}`);
  const [codeText, { bytes: width }] = entry;
  const headerBytes = 4 + 4 * dims.length;
  const out = new Uint8Array(headerBytes + values.length * width);
  const view = new DataView(out.buffer);
  out[2] = Number(codeText);
  out[3] = dims.length;
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  for (let i = 0; i < values.length; i++) {
    const at = headerBytes + i * width;
    const v = values[i];
    if (type === 'uint8') view.setUint8(at, v);
    else if (type === 'int8') view.setInt8(at, v);
    else if (type === 'int16') view.setInt16(at, v, false);
    else if (type === 'int32') view.setInt32(at, v, false);
    else if (type === 'float32') view.setFloat32(at, v, false);
    else view.setFloat64(at, v, false);
  }
  return out;
}
