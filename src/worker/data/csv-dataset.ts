// User datasets as CSV files: one row per sample, a header row, the label column named in the
// definition and every other column a feature (input shape [F]). Labels are class indices
// (integers >= 0) for classification, numbers for regression; without `task`, integer labels
// mean classification. Both files must have the same columns.
import { readFileSync } from 'node:fs';
import type { DataFacts, Dataset, SourceOf, Split, Task } from './dataset';
import { resolveDataPath } from './dataset';
import { CsvError, parseCsv } from './csv';
import { IdxDataError } from './idx-dataset';
import { resolveNormalization } from './normalize';
import { suggest } from '../../protocol/suggest';

type CsvSpec = SourceOf<'csv'>;
type CsvField = 'train' | 'test';

interface CsvSplit {
  split: Split;
  header: string[];
  features: string[];
}

function readTable(path: string, field: CsvField) {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new IdxDataError(
      field,
      `${path}: ${code === 'ENOENT' ? 'file not found' : code === 'EISDIR' ? 'is a directory, expected a CSV file' : String(e)}`,
    );
  }
  try {
    return parseCsv(text, path);
  } catch (e) {
    if (e instanceof CsvError) throw new IdxDataError(field, e.message);
    throw e;
  }
}

/** Every value of a table as numbers; labels checked for the task. */
function readSplit(
  path: string,
  field: CsvField,
  spec: CsvSpec,
  task: Task | undefined,
): CsvSplit & { task: Task } {
  const table = readTable(path, field);
  const labelAt = table.header.indexOf(spec.label);
  if (labelAt < 0) {
    const guess = suggest(spec.label, table.header);
    throw new IdxDataError(
      field,
      `${path}: no column '${spec.label}' for the label${guess ? `; did you mean '${guess}'?` : ''} (columns: ${table.header.join(', ')})`,
    );
  }
  if (table.header.length < 2)
    throw new IdxDataError(field, `${path}: only the label column; expected feature columns too`);
  const features = table.header.filter((_, i) => i !== labelAt);
  const count = table.rows.length;
  const x = new Float32Array(count * features.length);
  const y = new Float64Array(count);
  table.rows.forEach((row, r) => {
    let k = 0;
    row.forEach((text, c) => {
      const value = text.trim() === '' ? Number.NaN : Number(text);
      if (!Number.isFinite(value)) {
        throw new IdxDataError(
          field,
          `${path}: line ${table.lines[r]}, column '${table.header[c]}': ${JSON.stringify(text)} is not a number`,
        );
      }
      if (c === labelAt) y[r] = value;
      else x[r * features.length + k++] = value;
    });
  });
  const integers = y.every((v) => Number.isInteger(v) && v >= 0);
  const resolved = task ?? (integers ? 'classification' : 'regression');
  if (resolved === 'classification' && !integers) {
    const bad = y.findIndex((v) => !Number.isInteger(v) || v < 0);
    throw new IdxDataError(
      field,
      `${path}: line ${table.lines[bad]}, column '${spec.label}': ${y[bad]} is not a class index (an integer >= 0); for real-valued targets set task: regression`,
    );
  }
  const split: Split =
    resolved === 'classification'
      ? { count, x, labels: Int32Array.from(y) }
      : { count, x, targets: Float32Array.from(y) };
  return { split, header: table.header, features, task: resolved };
}

function readBoth(spec: CsvSpec, baseDir: string) {
  const trainPath = resolveDataPath(spec.train, baseDir);
  const testPath = resolveDataPath(spec.test, baseDir);
  const train = readSplit(trainPath, 'train', spec, spec.task);
  const test = readSplit(testPath, 'test', spec, train.task);
  if (test.header.join() !== train.header.join()) {
    throw new IdxDataError(
      'test',
      `${testPath}: columns ${test.header.join(', ')} differ from the training file's ${train.header.join(', ')}`,
    );
  }
  const max = (s: Split) => (s.labels ? s.labels.reduce((a, b) => Math.max(a, b), -1) : -1);
  const outputs =
    train.task === 'classification' ? Math.max(max(train.split), max(test.split)) + 1 : 1;
  return { trainPath, train, test, outputs };
}

/** Reads both files (they are small) for validation. */
export function csvFacts(spec: CsvSpec, baseDir: string): DataFacts {
  const { train, test, outputs } = readBoth(spec, baseDir);
  return {
    inputShape: [train.features.length],
    task: train.task,
    outputs,
    trainCount: train.split.count,
    testCount: test.split.count,
    label: 'the CSV data',
  };
}

export function loadCsvDataset(spec: CsvSpec, baseDir: string): Dataset {
  const { trainPath, train, test, outputs } = readBoth(spec, baseDir);
  return {
    description: `CSV data ${trainPath} (${train.split.count} train, ${test.split.count} test)`,
    inputShape: [train.features.length],
    sampleSize: train.features.length,
    task: train.task,
    outputs,
    scale: 1,
    normalization: resolveNormalization(spec.normalize, train.split.x, 1),
    train: train.split,
    test: test.split,
  };
}
