// Validation of each section of a run definition, filling defaults. Every reader collects all
// of its issues rather than stopping at the first; it returns the normalized section only when
// that section is valid.
import type {
  DataSpec,
  EvalSpec,
  LayerSpec,
  LossName,
  Normalization,
  OptimizerSpec,
  Padding,
  Pair,
} from '../../protocol/definition';
import {
  LAYER_FIELDS,
  LAYER_TYPES,
  readLayerFields,
  type LayerFieldReaders,
  type ScalarField,
} from '../../vivit/spec';
import { MNIST_TEST_COUNT, MNIST_TRAIN_COUNT } from '../data/mnist';
import {
  checkChoice,
  checkKnownFields,
  checkNumber,
  checkNumberList,
  describeValue,
  isObj,
  readBoolean,
  readChoice,
  readMapping,
  readNumber,
  readString,
  type IssueCollector,
  type NumberRule,
  type Obj,
} from './fields';
import { DAMPED_NEWTON_FIELDS, readDampedNewton } from './damped-newton';
import type { FieldPath } from './source';

export const LOSSES: readonly LossName[] = ['cross_entropy', 'mse'];
export const OPTIMIZERS = ['sgd', 'adam', 'damped_newton'] as const;
export const DATA_SOURCES = ['mnist', 'synthetic', 'idx', 'npy', 'csv'] as const;

const POSITIVE_INT = { integer: true, min: 1 };
const NONNEGATIVE_INT = { integer: true, min: 0 };

// ---------------------------------------------------------------- geometry helpers

function readPair(
  c: IssueCollector,
  o: Obj,
  key: string,
  path: FieldPath,
  fallback: Pair | 'required',
): Pair | undefined {
  const p = [...path, key];
  const value = o[key];
  if (value === undefined) {
    if (fallback === 'required') {
      c.add(p, `missing required field '${key}' (a positive integer or a list of two)`);
      return undefined;
    }
    return fallback;
  }
  if (Array.isArray(value)) {
    const list = checkNumberList(c, value, p, 2, POSITIVE_INT);
    return list ? [list[0], list[1]] : undefined;
  }
  return checkNumber(c, value, p, POSITIVE_INT) ? value : undefined;
}

function readPadding(c: IssueCollector, o: Obj, path: FieldPath): Padding | undefined {
  const p = [...path, 'padding'];
  const value = o.padding;
  if (value === undefined) return 0;
  if (value === 'same' || value === 'valid') return value;
  if (typeof value === 'string') {
    c.add(
      p,
      `expected 'same', 'valid', an integer >= 0 or a list of two, got ${describeValue(value)}`,
    );
    return undefined;
  }
  if (Array.isArray(value)) {
    const list = checkNumberList(c, value, p, 2, NONNEGATIVE_INT);
    return list ? [list[0], list[1]] : undefined;
  }
  return checkNumber(c, value, p, NONNEGATIVE_INT) ? value : undefined;
}

// ---------------------------------------------------------------- model

function readZeroPadding(
  c: IssueCollector,
  o: Obj,
  path: FieldPath,
): [number, number, number, number] | undefined {
  const p = [...path, 'padding'];
  const value = o.padding;
  if (value === undefined) {
    c.add(
      p,
      "missing required field 'padding' (an integer >= 0 or a list [left, right, top, bottom])",
    );
  } else if (Array.isArray(value)) {
    const list = checkNumberList(c, value, p, 4, NONNEGATIVE_INT);
    if (list) return [list[0], list[1], list[2], list[3]];
  } else if (checkNumber(c, value, p, NONNEGATIVE_INT)) {
    return [value, value, value, value];
  }
  return undefined;
}

/** Bounds of the real-valued layer parameters. */
const SCALAR_RULES: Record<ScalarField, NumberRule> = {
  negative_slope: {},
  alpha: { above: 0 },
  p: { min: 0, below: 1 },
};

/** The definition's field readers (their messages carry the source line). */
function definitionReaders(c: IssueCollector): LayerFieldReaders {
  return {
    size: (o, key, path) => readNumber(c, o, key, path, POSITIVE_INT, 'required'),
    pair: (o, key, path, fallback) => readPair(c, o, key, path, fallback),
    padding: (o, path) => readPadding(c, o, path),
    zeroPadding: (o, path) => readZeroPadding(c, o, path),
    flag: (o, key, path, fallback) => readBoolean(c, o, key, path, fallback),
    scalar: (o, key, path, fallback) => readNumber(c, o, key, path, SCALAR_RULES[key], fallback),
  };
}

function readLayer(
  c: IssueCollector,
  readers: LayerFieldReaders,
  item: unknown,
  path: FieldPath,
): LayerSpec | undefined {
  // A bare name is shorthand for a layer without fields: `- relu` means `- type: relu`.
  const o: Obj | undefined =
    typeof item === 'string' ? { type: item } : readMapping(c, item, path, 'a layer');
  if (!o) return undefined;
  if (o.type === undefined) {
    c.add([...path, 'type'], `missing required field 'type' (one of ${LAYER_TYPES.join(', ')})`);
    return undefined;
  }
  const type = checkChoice(
    c,
    o.type,
    typeof item === 'string' ? path : [...path, 'type'],
    LAYER_TYPES,
    'layer type',
  );
  if (!type) return undefined;
  const before = c.count;
  checkKnownFields(c, o, path, ['type', ...LAYER_FIELDS[type]]);
  const layer = readLayerFields(readers, type, o, path);
  return c.count === before ? layer : undefined;
}

export function readModel(c: IssueCollector, value: unknown): LayerSpec[] | undefined {
  const path = ['model'];
  if (value === undefined) {
    c.add(path, "missing required field 'model' (a list of layers)");
    return undefined;
  }
  if (!Array.isArray(value)) {
    c.add(path, `expected a list of layers, got ${describeValue(value)}`);
    return undefined;
  }
  if (value.length === 0) {
    c.add(path, 'the model has no layers');
    return undefined;
  }
  const readers = definitionReaders(c);
  const layers = value.map((item, i) => readLayer(c, readers, item, [...path, i]));
  return layers.every((l) => l !== undefined) ? (layers as LayerSpec[]) : undefined;
}

// ---------------------------------------------------------------- data

function readNormalization(c: IssueCollector, o: Obj, path: FieldPath): Normalization | undefined {
  const p = [...path, 'normalize'];
  const value = o.normalize;
  if (value === undefined) return 'standard';
  if (value === 'standard' || value === 'none') return value;
  if (isObj(value)) {
    const before = c.count;
    checkKnownFields(c, value, p, ['mean', 'std']);
    const mean = readNumber(c, value, 'mean', p, {}, 'required');
    const std = readNumber(c, value, 'std', p, { above: 0 }, 'required');
    return c.count === before && mean !== undefined && std !== undefined
      ? { mean, std }
      : undefined;
  }
  c.add(p, `expected 'standard', 'none' or {mean, std}, got ${describeValue(value)}`);
  return undefined;
}

const DATA_FIELDS: Record<(typeof DATA_SOURCES)[number], readonly string[]> = {
  mnist: ['source', 'normalize', 'train_size', 'test_size'],
  synthetic: [
    'source',
    'task',
    'features',
    'outputs',
    'train_size',
    'test_size',
    'noise',
    'normalize',
  ],
  idx: ['source', 'train_images', 'train_labels', 'test_images', 'test_labels', 'normalize'],
  npy: ['source', 'train_images', 'train_labels', 'test_images', 'test_labels', 'normalize'],
  csv: ['source', 'train', 'test', 'label', 'task', 'normalize'],
};

export function readData(c: IssueCollector, value: unknown): DataSpec | undefined {
  const path = ['data'];
  if (value === undefined) {
    c.add(path, `missing required field 'data' (with source: ${DATA_SOURCES.join(', ')})`);
    return undefined;
  }
  const o = readMapping(c, value, path, 'the data section');
  if (!o) return undefined;
  const source = readChoice(c, o, 'source', path, DATA_SOURCES, 'data source', 'required');
  if (!source) return undefined;
  const before = c.count;
  checkKnownFields(c, o, path, DATA_FIELDS[source]);
  const normalize = readNormalization(c, o, path);
  let spec: DataSpec | undefined;
  switch (source) {
    case 'mnist': {
      const train = readNumber(
        c,
        o,
        'train_size',
        path,
        { integer: true, min: 1, max: MNIST_TRAIN_COUNT },
        undefined,
      );
      const test = readNumber(
        c,
        o,
        'test_size',
        path,
        { integer: true, min: 1, max: MNIST_TEST_COUNT },
        undefined,
      );
      if (normalize) {
        spec = { source, normalize };
        if (train !== undefined) spec.train_size = train;
        if (test !== undefined) spec.test_size = test;
      }
      break;
    }
    case 'synthetic': {
      const task = readChoice(
        c,
        o,
        'task',
        path,
        ['classification', 'regression'] as const,
        'task',
        'classification',
      );
      const features = readNumber(c, o, 'features', path, POSITIVE_INT, 'required');
      const outputs = readNumber(
        c,
        o,
        'outputs',
        path,
        task === 'classification' ? { integer: true, min: 2 } : POSITIVE_INT,
        'required',
      );
      const train = readNumber(c, o, 'train_size', path, POSITIVE_INT, 1024);
      const test = readNumber(c, o, 'test_size', path, POSITIVE_INT, 256);
      // classification: label-noise rate in [0, 1); regression: std of the target noise.
      const noise = readNumber(
        c,
        o,
        'noise',
        path,
        task === 'classification' ? { min: 0, below: 1 } : { min: 0 },
        task === 'classification' ? 0 : 0.1,
      );
      if (task && features && outputs && train && test && noise !== undefined && normalize) {
        spec = {
          source,
          task,
          features,
          outputs,
          train_size: train,
          test_size: test,
          noise,
          normalize,
        };
      }
      break;
    }
    case 'idx':
    case 'npy': {
      const files = {
        train_images: readString(c, o, 'train_images', path, 'required'),
        train_labels: readString(c, o, 'train_labels', path, 'required'),
        test_images: readString(c, o, 'test_images', path, 'required'),
        test_labels: readString(c, o, 'test_labels', path, 'required'),
      };
      const { train_images, train_labels, test_images, test_labels } = files;
      if (train_images && train_labels && test_images && test_labels && normalize) {
        spec = { source, train_images, train_labels, test_images, test_labels, normalize };
      }
      break;
    }
    case 'csv': {
      const train = readString(c, o, 'train', path, 'required');
      const test = readString(c, o, 'test', path, 'required');
      const label = readString(c, o, 'label', path, 'required');
      const task =
        o.task === undefined
          ? undefined
          : readChoice(
              c,
              o,
              'task',
              path,
              ['classification', 'regression'] as const,
              'task',
              'required',
            );
      if (train && test && label && normalize && (o.task === undefined || task)) {
        spec = { source, train, test, label, normalize };
        if (task) spec.task = task;
      }
      break;
    }
  }
  return c.count === before ? spec : undefined;
}

// ---------------------------------------------------------------- loss, optimizer, eval

export function readLoss(c: IssueCollector, value: unknown): LossName | undefined {
  if (value === undefined) {
    c.add(['loss'], `missing required field 'loss' (one of ${LOSSES.join(', ')})`);
    return undefined;
  }
  return checkChoice(c, value, ['loss'], LOSSES, 'loss');
}

const OPTIMIZER_FIELDS: Record<(typeof OPTIMIZERS)[number], readonly string[]> = {
  sgd: ['type', 'lr', 'momentum', 'weight_decay', 'nesterov'],
  adam: ['type', 'lr', 'betas', 'eps', 'weight_decay'],
  damped_newton: DAMPED_NEWTON_FIELDS,
};

export function readOptimizer(c: IssueCollector, value: unknown): OptimizerSpec | undefined {
  const path = ['optimizer'];
  if (value === undefined) {
    c.add(path, `missing required field 'optimizer' (with type: ${OPTIMIZERS.join(', ')})`);
    return undefined;
  }
  const o = readMapping(c, value, path, 'the optimizer section');
  if (!o) return undefined;
  const type = readChoice(c, o, 'type', path, OPTIMIZERS, 'optimizer', 'required');
  if (!type) return undefined;
  const before = c.count;
  checkKnownFields(c, o, path, OPTIMIZER_FIELDS[type]);
  if (type === 'damped_newton') {
    const spec = readDampedNewton(c, o, path);
    return c.count === before ? spec : undefined;
  }
  const weightDecay = readNumber(c, o, 'weight_decay', path, { min: 0 }, 0);
  let spec: OptimizerSpec | undefined;
  if (type === 'sgd') {
    const lr = readNumber(c, o, 'lr', path, { above: 0 }, 'required');
    const momentum = readNumber(c, o, 'momentum', path, { min: 0, below: 1 }, 0);
    const nesterov = readBoolean(c, o, 'nesterov', path, false);
    if (nesterov && momentum === 0) c.add([...path, 'nesterov'], 'nesterov needs momentum > 0');
    if (
      lr !== undefined &&
      momentum !== undefined &&
      nesterov !== undefined &&
      weightDecay !== undefined
    ) {
      spec = { type, lr, momentum, weight_decay: weightDecay, nesterov };
    }
  } else {
    const lr = readNumber(c, o, 'lr', path, { above: 0 }, 0.001);
    const betas =
      o.betas === undefined
        ? [0.9, 0.999]
        : checkNumberList(c, o.betas, [...path, 'betas'], 2, { min: 0, below: 1 });
    const eps = readNumber(c, o, 'eps', path, { above: 0 }, 1e-8);
    if (lr !== undefined && betas && eps !== undefined && weightDecay !== undefined) {
      spec = { type, lr, betas: [betas[0], betas[1]], eps, weight_decay: weightDecay };
    }
  }
  return c.count === before ? spec : undefined;
}

export function readEval(c: IssueCollector, value: unknown): EvalSpec | undefined {
  const path = ['eval'];
  if (value === undefined) return { every: 100 };
  const o = readMapping(c, value, path, 'the eval section');
  if (!o) return undefined;
  const before = c.count;
  checkKnownFields(c, o, path, ['every', 'samples']);
  const every = readNumber(c, o, 'every', path, POSITIVE_INT, 100);
  const samples = readNumber(c, o, 'samples', path, POSITIVE_INT, undefined);
  if (c.count !== before || every === undefined) return undefined;
  return samples === undefined ? { every } : { every, samples };
}
