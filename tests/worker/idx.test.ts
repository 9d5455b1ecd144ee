import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeIdx, encodeIdx, IdxError, readIdx, readIdxHeader } from '../../src/worker/data/idx';
import { loadIdxDataset } from '../../src/worker/data/idx-dataset';

const dir = mkdtempSync(join(tmpdir(), 'vivit-idx-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, bytes: Uint8Array | number[]): string {
  const path = join(dir, name);
  writeFileSync(path, bytes instanceof Uint8Array ? bytes : Uint8Array.from(bytes));
  return path;
}

async function readError(path: string): Promise<string> {
  const e = await readIdx(path).then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(IdxError);
  return (e as IdxError).message;
}

describe('IDX reader', () => {
  it('reads uint8 images with the header dims, bytes written by hand', async () => {
    // magic 00 00 08 03, dims 2 x 2 x 3, then 12 bytes
    const bytes = [
      0,
      0,
      8,
      3,
      0,
      0,
      0,
      2,
      0,
      0,
      0,
      2,
      0,
      0,
      0,
      3,
      ...Array.from({ length: 12 }, (_, i) => i * 20),
    ];
    const path = file('images.idx', bytes);
    const idx = await readIdx(path);
    expect(idx.type).toBe('uint8');
    expect(idx.dims).toEqual([2, 2, 3]);
    expect(Array.from(idx.data)).toEqual(Array.from({ length: 12 }, (_, i) => i * 20));
    expect(readIdxHeader(path)).toEqual({
      type: 'uint8',
      dims: [2, 2, 3],
      headerBytes: 16,
      dataBytes: 12,
    });
  });

  it('decodes big-endian int16, int32, float32 and float64 values', () => {
    // int16 -2 big-endian is ff fe; the bytes are written by hand, not by encodeIdx.
    expect(
      Array.from(
        decodeIdx(Uint8Array.from([0, 0, 0x0b, 1, 0, 0, 0, 2, 0xff, 0xfe, 0x01, 0x00]), 'x').data,
      ),
    ).toEqual([-2, 256]);
    expect(
      Array.from(
        decodeIdx(Uint8Array.from([0, 0, 0x0c, 1, 0, 0, 0, 1, 0x00, 0x01, 0x00, 0x00]), 'x').data,
      ),
    ).toEqual([65536]);
    // float32 1.5 = 0x3fc00000
    expect(
      Array.from(
        decodeIdx(Uint8Array.from([0, 0, 0x0d, 1, 0, 0, 0, 1, 0x3f, 0xc0, 0, 0]), 'x').data,
      ),
    ).toEqual([1.5]);
    // float64 -0.25 = 0xbfd0000000000000
    expect(
      Array.from(
        decodeIdx(Uint8Array.from([0, 0, 0x0e, 1, 0, 0, 0, 1, 0xbf, 0xd0, 0, 0, 0, 0, 0, 0]), 'x')
          .data,
      ),
    ).toEqual([-0.25]);
    // int8 -1 = 0xff
    expect(
      Array.from(decodeIdx(Uint8Array.from([0, 0, 0x09, 1, 0, 0, 0, 1, 0xff]), 'x').data),
    ).toEqual([-1]);
  });

  it('round-trips every type through encodeIdx', () => {
    const cases = [
      ['uint8', [0, 7, 255]],
      ['int8', [-128, 0, 127]],
      ['int16', [-300, 0, 300]],
      ['int32', [-70000, 1, 70000]],
      ['float32', [-1.5, 0, 3.25]],
      ['float64', [Math.PI, -1e-300, 2]],
    ] as const;
    for (const [type, values] of cases) {
      const decoded = decodeIdx(encodeIdx(type, [3], values), 'x');
      expect(decoded.type).toBe(type);
      expect(Array.from(decoded.data)).toEqual(values);
    }
  });

  it('names the file when it is missing or a directory', async () => {
    const missing = join(dir, 'missing.idx');
    expect(await readError(missing)).toBe(`${missing}: file not found`);
    expect(() => readIdxHeader(missing)).toThrow(`${missing}: file not found`);
    const sub = join(dir, 'subdir');
    mkdirSync(sub);
    expect(await readError(sub)).toBe(`${sub}: is a directory, expected an IDX file`);
    expect(() => readIdxHeader(sub)).toThrow(`${sub}: is a directory, expected an IDX file`);
  });

  it('explains empty, truncated and corrupt files', async () => {
    const empty = file('empty.idx', []);
    expect(await readError(empty)).toBe(`${empty}: the file is empty (expected an IDX file)`);

    const short = file('short.idx', [0, 0, 8]);
    expect(await readError(short)).toBe(
      `${short}: truncated IDX header: the file has 3 bytes, the header needs at least 4`,
    );

    const shortDims = file('short-dims.idx', [0, 0, 8, 3, 0, 0, 0, 2, 0, 0]);
    expect(await readError(shortDims)).toBe(
      `${shortDims}: truncated IDX header: 3 dimensions need 16 header bytes, the file has 10`,
    );

    const truncated = file(
      'truncated.idx',
      encodeIdx('uint8', [10, 4, 4], new Array(160).fill(1)).slice(0, 100),
    );
    expect(await readError(truncated)).toBe(
      `${truncated}: truncated: the header promises 10×4×4 uint8 values (160 bytes) but the file has only 84 bytes of data`,
    );
    expect(() => readIdxHeader(truncated)).toThrow('truncated: the header promises 10×4×4');

    const extra = file('extra.idx', [...encodeIdx('float32', [2], [1, 2]), 9, 9, 9]);
    expect(await readError(extra)).toBe(
      `${extra}: corrupt: 3 unexpected bytes after the 2 float32 values the header declares`,
    );

    const magic = file('magic.idx', [0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0]);
    expect(await readError(magic)).toBe(
      `${magic}: not an IDX file: the first two bytes must be 0x00 0x00, found 0x89 0x50`,
    );

    const gz = file('gz.idx', [0x1f, 0x8b, 8, 0, 0, 0]);
    expect(await readError(gz)).toBe(
      `${gz}: the file is gzip-compressed; decompress it first (e.g. gunzip)`,
    );

    const type = file('type.idx', [0, 0, 0x07, 1, 0, 0, 0, 0]);
    expect(await readError(type)).toMatch(
      new RegExp(`^${type}: unknown IDX data type code 0x07 \\(known: 0x08 uint8`),
    );

    const rank0 = file('rank0.idx', [0, 0, 8, 0]);
    expect(await readError(rank0)).toBe(`${rank0}: the IDX header declares 0 dimensions`);
  });
});

describe('IDX datasets', () => {
  const write = (
    name: string,
    type: Parameters<typeof encodeIdx>[0],
    dims: number[],
    values: number[],
  ) => file(name, encodeIdx(type, dims, values));

  it('loads images as [1, H, W], scales bytes by 1/255 and counts classes', async () => {
    write('a-train-x', 'uint8', [3, 2, 2], [0, 255, 0, 255, 255, 0, 255, 0, 51, 51, 51, 51]);
    write('a-train-y', 'uint8', [3], [0, 1, 2]);
    write('a-test-x', 'uint8', [1, 2, 2], [0, 0, 0, 0]);
    write('a-test-y', 'uint8', [1], [3]);
    const data = await loadIdxDataset(
      {
        source: 'idx',
        train_images: 'a-train-x',
        train_labels: 'a-train-y',
        test_images: 'a-test-x',
        test_labels: 'a-test-y',
        normalize: 'none',
      },
      dir,
    );
    expect(data.inputShape).toEqual([1, 2, 2]);
    expect(data.task).toBe('classification');
    expect(data.outputs).toBe(4);
    expect(data.scale).toBeCloseTo(1 / 255, 12);
    expect(Array.from(data.train.labels!)).toEqual([0, 1, 2]);
    expect(data.test.count).toBe(1);
  });

  it('treats float or [N, C] labels as regression targets and [N, F] images as features', async () => {
    write('r-train-x', 'float32', [2, 3], [1, 2, 3, 4, 5, 6]);
    write('r-train-y', 'float32', [2, 2], [0.5, -0.5, 1, -1]);
    write('r-test-x', 'float32', [1, 3], [0, 0, 0]);
    write('r-test-y', 'float32', [1, 2], [0, 0]);
    const data = await loadIdxDataset(
      {
        source: 'idx',
        train_images: 'r-train-x',
        train_labels: 'r-train-y',
        test_images: 'r-test-x',
        test_labels: 'r-test-y',
        normalize: 'standard',
      },
      dir,
    );
    expect(data.inputShape).toEqual([3]);
    expect(data.task).toBe('regression');
    expect(data.outputs).toBe(2);
    expect(data.scale).toBe(1);
    expect(Array.from(data.train.targets!)).toEqual([0.5, -0.5, 1, -1]);
    // standard: mean 3.5, population std sqrt(35/12) over the six training values
    expect(data.normalization.mean).toBeCloseTo(3.5, 12);
    expect(data.normalization.std).toBeCloseTo(Math.sqrt(35 / 12), 12);
  });

  it('blames the labels file when counts differ', async () => {
    write('m-train-x', 'uint8', [3, 2], [1, 2, 3, 4, 5, 6]);
    write('m-train-y', 'uint8', [2], [0, 1]);
    const spec = {
      source: 'idx' as const,
      train_images: 'm-train-x',
      train_labels: 'm-train-y',
      test_images: 'm-train-x',
      test_labels: 'm-train-y',
      normalize: 'none' as const,
    };
    await expect(loadIdxDataset(spec, dir)).rejects.toMatchObject({
      field: 'train_labels',
      message: `${join(dir, 'm-train-y')} has 2 labels but ${join(dir, 'm-train-x')} has 3 images`,
    });
  });
});
