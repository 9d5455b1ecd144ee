// CSV and NumPy .npy data files: bytes and text written by hand (as numpy.save and a
// spreadsheet write them), decoded values, the datasets built from them (against the same data
// as IDX files, through the existing IDX path), and malformed files refused through a run
// definition with messages naming file, line and column.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { formatIssue, parseDefinition } from '../../src/worker/definition';
import { parseCsv } from '../../src/worker/data/csv';
import { encodeIdx } from '../../src/worker/data/idx';
import { loadDataset } from '../../src/worker/data/load';
import { decodeNpy, encodeNpy, NpyError } from '../../src/worker/data/npy';

const dir = mkdtempSync(join(tmpdir(), 'vivit-data-files-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, content: Uint8Array | string): string {
  writeFileSync(join(dir, name), content);
  return join(dir, name);
}

/** A .npy file as numpy 1.x writes it: version 1.0, header padded to 64 bytes. */
function npyByHand(header: string, data: Uint8Array): Uint8Array {
  const padded = header + ' '.repeat(64 - ((10 + header.length + 1) % 64)) + '\n';
  const out = new Uint8Array(10 + padded.length + data.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, padded.length & 0xff, padded.length >> 8]);
  out.set(new TextEncoder().encode(padded), 10);
  out.set(data, 10 + padded.length);
  return out;
}

describe('NPY reader', () => {
  it('reads float32 little-endian, header written by hand', () => {
    const values = new Float32Array([1.5, -2, 0.25, 3, 4, 5]);
    const bytes = npyByHand(
      "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }",
      new Uint8Array(values.buffer),
    );
    expect((10 + bytes.length - 24 - 10) % 64).toBe(0);
    const a = decodeNpy(bytes, 'x.npy');
    expect(a).toMatchObject({ type: 'float32', dims: [2, 3] });
    expect(Array.from(a.data)).toEqual([1.5, -2, 0.25, 3, 4, 5]);
  });

  it('reads big-endian float64, uint8 and int64 labels (narrowed to int32)', () => {
    const be = new Uint8Array(16);
    new DataView(be.buffer).setFloat64(0, Math.PI, false);
    new DataView(be.buffer).setFloat64(8, -1e-3, false);
    const f8 = decodeNpy(
      npyByHand("{'descr': '>f8', 'fortran_order': False, 'shape': (2,), }", be),
      'b.npy',
    );
    expect(Array.from(f8.data)).toEqual([Math.PI, -1e-3]);
    const u1 = decodeNpy(
      npyByHand(
        "{'descr': '|u1', 'fortran_order': False, 'shape': (1, 2, 2), }",
        Uint8Array.of(0, 7, 200, 255),
      ),
      'u.npy',
    );
    expect(u1).toMatchObject({ type: 'uint8', dims: [1, 2, 2] });
    expect(Array.from(u1.data)).toEqual([0, 7, 200, 255]);
    const i8 = new Uint8Array(24);
    [3, 0, 9].forEach((v, i) => new DataView(i8.buffer).setBigInt64(8 * i, BigInt(v), true));
    const labels = decodeNpy(
      npyByHand("{'descr': '<i8', 'fortran_order': False, 'shape': (3,), }", i8),
      'y.npy',
    );
    expect(labels.type).toBe('int32');
    expect(Array.from(labels.data)).toEqual([3, 0, 9]);
  });

  it('encodeNpy writes what the reader (and numpy) reads', () => {
    const bytes = encodeNpy('<f8', [2, 2], [1, 2, 3, 4]);
    expect(new TextDecoder('latin1').decode(bytes.subarray(10, 70))).toContain(
      "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 2), }",
    );
    expect(Array.from(decodeNpy(bytes, 'e.npy').data)).toEqual([1, 2, 3, 4]);
  });

  it.each([
    [
      'not npy',
      new TextEncoder().encode('hello, world'),
      'not a .npy file: it does not start with \\x93NUMPY (save arrays with numpy.save)',
    ],
    [
      'fortran',
      npyByHand("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }", new Uint8Array(16)),
      'the array is in Fortran order; supported: C order (save numpy.ascontiguousarray(x))',
    ],
    [
      'complex',
      npyByHand("{'descr': '<c8', 'fortran_order': False, 'shape': (2,), }", new Uint8Array(16)),
      "dtype '<c8' is not supported; supported: float32, float64, uint8 (features or labels) and int8/int16/int32/int64 (labels)",
    ],
    [
      'truncated',
      npyByHand("{'descr': '<f4', 'fortran_order': False, 'shape': (4, 2), }", new Uint8Array(20)),
      'truncated: the header promises shape (4, 2) of <f4 (32 bytes) but the file has only 20 bytes of data',
    ],
    [
      'extra bytes',
      npyByHand("{'descr': '|u1', 'fortran_order': False, 'shape': (3,), }", new Uint8Array(5)),
      'corrupt: 2 unexpected bytes after the data the header declares',
    ],
    [
      'scalar',
      npyByHand("{'descr': '<f4', 'fortran_order': False, 'shape': (), }", new Uint8Array(4)),
      'the array is a scalar; expected [N, ...] samples',
    ],
  ])('refuses %s', (_name, bytes, message) => {
    const error = (() => {
      try {
        decodeNpy(bytes, 'bad.npy');
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(NpyError);
    expect((error as Error).message).toBe(`bad.npy: ${message}`);
  });
});

describe('NPY dataset', () => {
  it('gives the same dataset as the same values in IDX files', async () => {
    const images = Array.from({ length: 5 * 2 * 3 }, (_, i) => (i * 37) % 256);
    const labels = [0, 1, 2, 1, 0];
    const testImages = images.slice(0, 12);
    const testLabels = [2, 0];
    file('x.npy', encodeNpy('|u1', [5, 2, 3], images));
    file('y.npy', encodeNpy('<i8', [5], labels));
    file('tx.npy', encodeNpy('|u1', [2, 2, 3], testImages));
    file('ty.npy', encodeNpy('<i8', [2], testLabels));
    file('x.idx', encodeIdx('uint8', [5, 2, 3], images));
    file('y.idx', encodeIdx('uint8', [5], labels));
    file('tx.idx', encodeIdx('uint8', [2, 2, 3], testImages));
    file('ty.idx', encodeIdx('uint8', [2], testLabels));
    const spec = (source: 'npy' | 'idx', ext: string) => ({
      source,
      train_images: `x.${ext}`,
      train_labels: `y.${ext}`,
      test_images: `tx.${ext}`,
      test_labels: `ty.${ext}`,
      normalize: 'standard' as const,
    });
    const npy = await loadDataset(spec('npy', 'npy'), 0, dir);
    const idx = await loadDataset(spec('idx', 'idx'), 0, dir);
    expect(npy.inputShape).toEqual([1, 2, 3]);
    expect(npy.description).toMatch(/^NPY data /);
    // Everything but the description (which names the file) is the same.
    const plain = (d: typeof npy) => ({
      ...d,
      description: '',
      train: { ...d.train },
      test: { ...d.test },
    });
    expect(plain(npy)).toEqual(plain(idx));
    expect(npy.scale).toBe(1 / 255);
  });
});

describe('CSV reader', () => {
  it('splits quoted fields, doubled quotes, CRLF and blank lines, keeping line numbers', () => {
    const t = parseCsv('a,"b, c",label\r\n1,"2",0\r\n\r\n"3","x""y",1\n', 'f.csv');
    expect(t.header).toEqual(['a', 'b, c', 'label']);
    expect(t.rows).toEqual([
      ['1', '2', '0'],
      ['3', 'x"y', '1'],
    ]);
    expect(t.lines).toEqual([2, 4]);
  });
});

/** Issues of a definition with the given data section (files in `dir`). */
function dataIssues(
  data: string,
  model = '[{type: linear, in: 2, out: 3}]',
  loss = 'cross_entropy',
): string[] {
  const text = `data: ${data}
model: ${model}
loss: ${loss}
optimizer: { type: sgd, lr: 0.1 }
batch_size: 2
steps: 5
`;
  return parseDefinition(text, join(dir, 'run.yaml')).issues.map((i) => formatIssue(i, 'run.yaml'));
}

describe('CSV dataset', () => {
  it('features are every column but the label; integer labels are classes; standard normalization over the training values', async () => {
    file('train.csv', 'x1,label,x2\n1,0,2\n3,2,4\n5,1,-6\n');
    file('test.csv', 'x1,label,x2\n0,1,0\n');
    const ds = await loadDataset(
      {
        source: 'csv',
        train: 'train.csv',
        test: 'test.csv',
        label: 'label',
        normalize: 'standard',
      },
      0,
      dir,
    );
    expect(ds).toMatchObject({ inputShape: [2], task: 'classification', outputs: 3, scale: 1 });
    expect(Array.from(ds.train.x)).toEqual([1, 2, 3, 4, 5, -6]);
    expect(Array.from(ds.train.labels!)).toEqual([0, 2, 1]);
    // mean and population std of 1, 2, 3, 4, 5, -6: 1.5 and sqrt(101.5 / 6)
    const values = [1, 2, 3, 4, 5, -6];
    const mean = values.reduce((a, b) => a + b) / 6;
    expect(mean).toBe(1.5);
    expect(ds.normalization.mean).toBeCloseTo(1.5, 12);
    expect(ds.normalization.std).toBeCloseTo(
      Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / 6),
      12,
    );
    expect(dataIssues('{ source: csv, train: train.csv, test: test.csv, label: label }')).toEqual(
      [],
    );
  });

  it('real-valued labels are regression targets (or task: regression)', async () => {
    file('reg.csv', 'a,b,y\n1,2,0.5\n3,4,-1.25\n');
    const ds = await loadDataset(
      { source: 'csv', train: 'reg.csv', test: 'reg.csv', label: 'y', normalize: 'none' },
      0,
      dir,
    );
    expect(ds).toMatchObject({ task: 'regression', outputs: 1 });
    expect(Array.from(ds.train.targets!)).toEqual([0.5, -1.25]);
    expect(
      dataIssues(
        '{ source: csv, train: train.csv, test: test.csv, label: label, task: regression }',
        '[{type: linear, in: 2, out: 1}]',
        'mse',
      ),
    ).toEqual([]);
  });

  it.each([
    ['missing.csv', 'nothing', 'train', (p: string) => `${p}: file not found`],
    [
      'empty.csv',
      '',
      'train',
      (p: string) => `${p}: the file is empty; expected a header row and data rows`,
    ],
    [
      'nolabel.csv',
      'x1,lable\n1,2\n',
      'train',
      (p: string) =>
        `${p}: no column 'label' for the label; did you mean 'lable'? (columns: x1, lable)`,
    ],
    [
      'text.csv',
      'x1,label,x2\n1,0,2\n3,1,four\n',
      'train',
      (p: string) => `${p}: line 3, column 'x2': "four" is not a number`,
    ],
    [
      'ragged.csv',
      'x1,label,x2\n1,0,2\n3,1\n',
      'train',
      (p: string) => `${p}: line 3: 2 fields, but the header has 3 columns`,
    ],
    [
      'quote.csv',
      'x1,label,x2\n1,0,"2\n',
      'train',
      (p: string) => `${p}: line 2: a quoted field is not closed before the end of the file`,
    ],
    [
      'dup.csv',
      'x1,label,x1\n1,0,2\n',
      'train',
      (p: string) => `${p}: line 1: column 'x1' appears twice in the header`,
    ],
  ])('refuses %s at data.train with file, line and column', (name, content, field, message) => {
    const path = name === 'missing.csv' ? join(dir, name) : file(name, content);
    expect(dataIssues(`{ source: csv, train: ${name}, test: test.csv, label: label }`)).toEqual([
      `run.yaml:1: data.${field}: ${message(path)}`,
    ]);
  });

  it('refuses a fractional class label and a test file with other columns', () => {
    const frac = file('frac.csv', 'x1,label,x2\n1,0.5,2\n');
    expect(
      dataIssues(
        '{ source: csv, train: frac.csv, test: test.csv, label: label, task: classification }',
      ),
    ).toEqual([
      `run.yaml:1: data.train: ${frac}: line 2, column 'label': 0.5 is not a class index (an integer >= 0); for real-valued targets set task: regression`,
    ]);
    const other = file('other.csv', 'x1,label,x3\n1,0,2\n');
    expect(dataIssues('{ source: csv, train: train.csv, test: other.csv, label: label }')).toEqual([
      `run.yaml:1: data.test: ${other}: columns x1, label, x3 differ from the training file's x1, label, x2`,
    ]);
  });

  it('NPY errors reach the definition field', () => {
    const bad = file(
      'bad-x.npy',
      npyByHand("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }", new Uint8Array(16)),
    );
    file('ok-y.npy', encodeNpy('<i8', [2], [0, 1]));
    expect(
      dataIssues(
        '{ source: npy, train_images: bad-x.npy, train_labels: ok-y.npy, test_images: bad-x.npy, test_labels: ok-y.npy }',
      ),
    ).toEqual([
      `run.yaml:1: data.train_images: ${bad}: the array is in Fortran order; supported: C order (save numpy.ascontiguousarray(x))`,
    ]);
  });
});
