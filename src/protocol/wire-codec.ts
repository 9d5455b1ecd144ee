// Binary frames for the web host's WebSocket: a JSON part for the structure and a binary part
// for the typed arrays the records carry (eigenvalues, per-sample γ_nk/λ_nk, sample images), so
// numbers travel as raw float64 — exact, NaN/±Infinity included, no text round trip — and the
// renderer gets them as views on the received buffer without copying. Electron IPC needs none of
// this: its structured clone carries typed arrays as they are.
//
// Frame layout (little endian):
//   0  "VVW1"                       magic
//   4  u32 L                        byte length of the JSON part
//   8  L bytes of UTF-8 JSON        {"event": …, "arrays": [[kind, length], …]}
//      zero padding to a multiple of 8
//      the arrays' bytes in order, each padded to a multiple of 8
// In the JSON, the i-th typed array is replaced by {"__typed": i}.
import type { HostEvent } from './host';
import type { BodyRecord } from './records';
import { validateLogRecord } from './validate';

const MAGIC = 'VVW1';
const PLACEHOLDER = '__typed';

type TypedKind = 'f64' | 'u8';
type WireArray = Float64Array | Uint8Array;

function kindOf(value: unknown): TypedKind | undefined {
  if (value instanceof Float64Array) return 'f64';
  if (value instanceof Uint8Array) return 'u8';
  return undefined;
}

const BYTES: Record<TypedKind, number> = { f64: 8, u8: 1 };

function padded(bytes: number): number {
  return Math.ceil(bytes / 8) * 8;
}

/** Non-finite scalars (a diverging loss) in the JSON part, as the session log writes them. */
function encodeScalar(value: number): number | string {
  if (Number.isFinite(value)) return value;
  return Number.isNaN(value) ? 'NaN' : value > 0 ? 'Infinity' : '-Infinity';
}

/** One host event as one binary WebSocket frame. */
export function encodeHostEvent(event: HostEvent): Uint8Array {
  const arrays: WireArray[] = [];
  const json = JSON.stringify({ event }, (_key, value: unknown) => {
    const kind = kindOf(value);
    if (kind) {
      arrays.push(value as WireArray);
      return { [PLACEHOLDER]: arrays.length - 1 };
    }
    return typeof value === 'number' ? encodeScalar(value) : value;
  });
  // The table of arrays goes last in the JSON part, after the walk that filled it.
  const text = `${json.slice(0, -1)},"arrays":${JSON.stringify(
    arrays.map((a) => [kindOf(a), a.length]),
  )}}`;
  const jsonBytes = new TextEncoder().encode(text);
  const dataStart = padded(8 + jsonBytes.length);
  const total = arrays.reduce((end, a) => end + padded(a.byteLength), dataStart);

  const frame = new Uint8Array(total);
  frame.set(new TextEncoder().encode(MAGIC), 0);
  new DataView(frame.buffer).setUint32(4, jsonBytes.length, true);
  frame.set(jsonBytes, 8);
  let offset = dataStart;
  for (const a of arrays) {
    frame.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), offset);
    offset += padded(a.byteLength);
  }
  return frame;
}

/** Why a frame could not be read (a bug or a foreign sender, never a user error). */
export class WireFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WireFormatError';
  }
}

function asBytes(data: ArrayBuffer | ArrayBufferView): Uint8Array {
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/** The typed arrays of a frame, as views where the buffer is aligned, copies otherwise. */
function readArrays(bytes: Uint8Array, table: unknown, start: number): WireArray[] {
  if (!Array.isArray(table)) throw new WireFormatError('frame has no array table');
  const arrays: WireArray[] = [];
  let offset = start;
  for (const entry of table as unknown[]) {
    const [kind, length] = Array.isArray(entry) ? entry : [];
    if ((kind !== 'f64' && kind !== 'u8') || !Number.isSafeInteger(length) || length < 0) {
      throw new WireFormatError(`bad array table entry ${JSON.stringify(entry)}`);
    }
    const byteLength = (length as number) * BYTES[kind as TypedKind];
    if (offset + byteLength > bytes.length) throw new WireFormatError('frame is truncated');
    const at = bytes.byteOffset + offset;
    if (kind === 'u8') {
      arrays.push(new Uint8Array(bytes.buffer, at, byteLength));
    } else {
      arrays.push(
        at % 8 === 0
          ? new Float64Array(bytes.buffer, at, length as number)
          : new Float64Array(bytes.slice(offset, offset + byteLength).buffer),
      );
    }
    offset += padded(byteLength);
  }
  return arrays;
}

/**
 * Reads a host event from a binary frame, restoring its typed arrays and the non-finite numbers
 * of its records (only in record fields known to be numeric, so no string is misread).
 */
export function decodeHostEvent(data: ArrayBuffer | ArrayBufferView): HostEvent {
  const bytes = asBytes(data);
  if (bytes.length < 8 || new TextDecoder().decode(bytes.subarray(0, 4)) !== MAGIC) {
    throw new WireFormatError('not a ViViT Monitor frame');
  }
  const jsonLength = new DataView(bytes.buffer, bytes.byteOffset).getUint32(4, true);
  if (8 + jsonLength > bytes.length) throw new WireFormatError('frame is truncated');
  const text = new TextDecoder().decode(bytes.subarray(8, 8 + jsonLength));
  const { event: raw, arrays: table } = JSON.parse(text) as { event: unknown; arrays: unknown };
  const arrays = readArrays(bytes, table, padded(8 + jsonLength));
  return reviveHostEvent(restoreArrays(raw, arrays) as HostEvent);
}

/**
 * Normalizes the records an event carries in place, as reading a log does: encoded non-finite
 * numbers become numbers and number lists become Float64Arrays (typed arrays stay as they are).
 * Both transports call it, so the stores see the same objects however an event arrived.
 */
export function reviveHostEvent(event: HostEvent): HostEvent {
  const revive = (records: BodyRecord[]): void => {
    for (const record of records) validateLogRecord(record);
  };
  if (event.kind === 'records') revive(event.records);
  if (event.kind === 'snapshot') {
    revive(event.records);
    if (event.header) validateLogRecord(event.header);
  }
  if (event.kind === 'session') validateLogRecord(event.header);
  return event;
}

function restoreArrays(value: unknown, arrays: WireArray[]): unknown {
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = restoreArrays(value[i], arrays);
    return value;
  }
  if (typeof value !== 'object' || value === null) return value;
  const obj = value as Record<string, unknown>;
  const index = obj[PLACEHOLDER];
  if (typeof index === 'number' && Object.keys(obj).length === 1) {
    const array = arrays[index];
    if (!array) throw new WireFormatError(`frame refers to missing array ${index}`);
    return array;
  }
  for (const key of Object.keys(obj)) obj[key] = restoreArrays(obj[key], arrays);
  return obj;
}
