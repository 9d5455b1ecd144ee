// User datasets as array files, IDX or NumPy .npy (train/test images and labels). Images:
// [N, F] -> features [F], [N, H, W] -> [1, H, W], [N, C, H, W] -> [C, H, W]. Labels: integer
// [N] -> class indices (classes = largest label + 1); float [N] or any [N, C] -> regression
// targets. uint8 images are scaled by 1/255 before normalization, as MNIST is.
import { readFileSync } from 'node:fs';
import type { DataFacts, Dataset, SourceOf, Split, Task } from './dataset';
import { resolveDataPath } from './dataset';
import {
  decodeIdx,
  IdxError,
  readIdx,
  readIdxHeader,
  type IdxArray,
  type IdxDataType,
} from './idx';
import { decodeNpy, NpyError, readNpy, readNpyHeader } from './npy';
import { resolveNormalization } from './normalize';

type IdxSpec = SourceOf<'idx' | 'npy'>;

/** One array file format: its header (for validation) and its full reader. */
interface ArrayFormat {
  name: string;
  header(file: string): { type: IdxDataType; dims: number[] };
  decode(bytes: Uint8Array, file: string): IdxArray;
  read(file: string): Promise<IdxArray>;
  isError(e: unknown): e is Error;
}

const FORMATS: Record<IdxSpec['source'], ArrayFormat> = {
  idx: {
    name: 'IDX',
    header: readIdxHeader,
    decode: decodeIdx,
    read: readIdx,
    isError: (e: unknown): e is Error => e instanceof IdxError,
  },
  npy: {
    name: 'NPY',
    header: readNpyHeader,
    decode: decodeNpy,
    read: readNpy,
    isError: (e: unknown): e is Error => e instanceof NpyError,
  },
};
export type IdxField = 'train_images' | 'train_labels' | 'test_images' | 'test_labels';

/** A problem with a data file (IDX, NPY or CSV), attributed to its definition field. */
export class IdxDataError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = 'IdxDataError';
  }
}

const INTEGER_TYPES: IdxDataType[] = ['uint8', 'int8', 'int16', 'int32'];

function sampleShape(dims: number[], file: string, field: IdxField): number[] {
  if (dims.length === 1) return [1];
  if (dims.length <= 4) {
    const shape = dims.slice(1);
    return dims.length === 3 ? [1, ...shape] : shape;
  }
  throw new IdxDataError(
    field,
    `${file}: images must have 1 to 4 dimensions ([N], [N, F], [N, H, W] or [N, C, H, W]), found ${dims.length}`,
  );
}

interface LabelKind {
  task: Task;
  /** Target dimension for regression; classes are counted from the values. */
  outputs?: number;
}

function labelKind(type: IdxDataType, dims: number[], file: string, field: IdxField): LabelKind {
  if (dims.length === 1) {
    return INTEGER_TYPES.includes(type)
      ? { task: 'classification' }
      : { task: 'regression', outputs: 1 };
  }
  if (dims.length === 2) return { task: 'regression', outputs: dims[1] };
  throw new IdxDataError(
    field,
    `${file}: labels must be [N] class indices or [N, C] targets, found ${dims.length} dimensions`,
  );
}

function classCount(labels: ArrayLike<number>, file: string, field: IdxField): number {
  let max = -1;
  for (let i = 0; i < labels.length; i++) {
    const v = labels[i];
    if (v < 0)
      throw new IdxDataError(field, `${file}: label ${i} is ${v}; class labels must be 0 or more`);
    if (v > max) max = v;
  }
  return max + 1;
}

interface Described {
  images: { type: IdxDataType; dims: number[] };
  labels: { type: IdxDataType; dims: number[] };
}

/** Checks one split's image/label pair for consistency; returns its sample shape and label kind. */
function checkPair(
  split: 'train' | 'test',
  d: Described,
  files: Record<IdxField, string>,
): { shape: number[]; kind: LabelKind; count: number; imageType: IdxDataType } {
  const imagesField = `${split}_images` as IdxField;
  const labelsField = `${split}_labels` as IdxField;
  const shape = sampleShape(d.images.dims, files[imagesField], imagesField);
  const kind = labelKind(d.labels.type, d.labels.dims, files[labelsField], labelsField);
  const count = d.images.dims[0];
  if (d.labels.dims[0] !== count) {
    throw new IdxDataError(
      labelsField,
      `${files[labelsField]} has ${d.labels.dims[0]} labels but ${files[imagesField]} has ${count} images`,
    );
  }
  if (count === 0) throw new IdxDataError(imagesField, `${files[imagesField]} contains no samples`);
  return { shape, kind, count, imageType: d.images.type };
}

function combine(
  train: ReturnType<typeof checkPair>,
  test: ReturnType<typeof checkPair>,
  files: Record<IdxField, string>,
): void {
  if (train.shape.join() !== test.shape.join()) {
    throw new IdxDataError(
      'test_images',
      `${files.test_images}: test samples have shape [${test.shape.join(', ')}] but training samples have [${train.shape.join(', ')}]`,
    );
  }
  if (train.imageType !== test.imageType) {
    throw new IdxDataError(
      'test_images',
      `${files.test_images}: test images are ${test.imageType} but training images are ${train.imageType}`,
    );
  }
  if (train.kind.task !== test.kind.task || train.kind.outputs !== test.kind.outputs) {
    throw new IdxDataError(
      'test_labels',
      `${files.test_labels}: test labels are of a different kind than the training labels (${test.kind.task} vs ${train.kind.task})`,
    );
  }
}

function filesOf(spec: IdxSpec, baseDir: string): Record<IdxField, string> {
  return {
    train_images: resolveDataPath(spec.train_images, baseDir),
    train_labels: resolveDataPath(spec.train_labels, baseDir),
    test_images: resolveDataPath(spec.test_images, baseDir),
    test_labels: resolveDataPath(spec.test_labels, baseDir),
  };
}

function attribute<T>(format: ArrayFormat, field: IdxField, read: () => T): T {
  try {
    return read();
  } catch (e) {
    if (format.isError(e)) throw new IdxDataError(field, e.message);
    throw e;
  }
}

/** Reads the headers (and the label files, to count classes) synchronously, for validation. */
export function idxFacts(spec: IdxSpec, baseDir: string): DataFacts {
  const files = filesOf(spec, baseDir);
  const format = FORMATS[spec.source];
  const header = (field: IdxField) => attribute(format, field, () => format.header(files[field]));
  const train = checkPair(
    'train',
    { images: header('train_images'), labels: header('train_labels') },
    files,
  );
  const test = checkPair(
    'test',
    { images: header('test_images'), labels: header('test_labels') },
    files,
  );
  combine(train, test, files);
  let outputs = train.kind.outputs ?? 0;
  if (train.kind.task === 'classification') {
    const labels = (field: IdxField) =>
      attribute(format, field, () => format.decode(readFileSync(files[field]), files[field]).data);
    outputs = Math.max(
      classCount(labels('train_labels'), files.train_labels, 'train_labels'),
      classCount(labels('test_labels'), files.test_labels, 'test_labels'),
    );
  }
  return {
    inputShape: train.shape,
    task: train.kind.task,
    outputs,
    trainCount: train.count,
    testCount: test.count,
    label: `the ${format.name} data`,
  };
}

function toSplit(images: IdxArray, labels: IdxArray, kind: LabelKind, count: number): Split {
  const x = images.data instanceof Uint8Array ? images.data : Float32Array.from(images.data);
  if (kind.task === 'classification') return { count, x, labels: Int32Array.from(labels.data) };
  return { count, x, targets: Float32Array.from(labels.data) };
}

export async function loadIdxDataset(spec: IdxSpec, baseDir: string): Promise<Dataset> {
  const files = filesOf(spec, baseDir);
  const format = FORMATS[spec.source];
  const read = async (field: IdxField) => {
    try {
      return await format.read(files[field]);
    } catch (e) {
      if (format.isError(e)) throw new IdxDataError(field, e.message);
      throw e;
    }
  };
  const [trainImages, trainLabels, testImages, testLabels] = await Promise.all([
    read('train_images'),
    read('train_labels'),
    read('test_images'),
    read('test_labels'),
  ]);
  const train = checkPair('train', { images: trainImages, labels: trainLabels }, files);
  const test = checkPair('test', { images: testImages, labels: testLabels }, files);
  combine(train, test, files);
  const outputs =
    train.kind.task === 'classification'
      ? Math.max(
          classCount(trainLabels.data, files.train_labels, 'train_labels'),
          classCount(testLabels.data, files.test_labels, 'test_labels'),
        )
      : (train.kind.outputs ?? 1);
  const scale = trainImages.type === 'uint8' ? 1 / 255 : 1;
  const trainSplit = toSplit(trainImages, trainLabels, train.kind, train.count);
  return {
    description: `${format.name} data ${files.train_images} (${train.count} train, ${test.count} test)`,
    inputShape: train.shape,
    sampleSize: train.shape.reduce((a, b) => a * b, 1),
    task: train.kind.task,
    outputs,
    scale,
    normalization: resolveNormalization(spec.normalize, trainSplit.x, scale),
    train: trainSplit,
    test: toSplit(testImages, testLabels, test.kind, test.count),
  };
}
