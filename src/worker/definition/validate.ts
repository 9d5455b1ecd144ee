// Validates a parsed definition value: each section on its own, then the checks that need
// several sections together (loss vs data, the model's shape chain, output size, sizes).
import { basename, dirname, extname, resolve } from 'node:path';
import type { DataSpec, DefinitionIssue, RunDefinition } from '../../protocol/definition';
import type { DataFacts } from '../data/dataset';
import { IdxDataError } from '../data/idx-dataset';
import { dataFacts } from '../data/load';
import {
  checkKnownFields,
  describeValue,
  isObj,
  IssueCollector,
  readMapping,
  readNumber,
  type Obj,
} from './fields';
import { checkLossAgainstData, checkShapes } from './fit';
import { checkModelFileAgainstData, readModelFile } from './model-file';
import { readCurvatureSection } from './curvature';
import { readInstrumentsSection } from './instruments';
import { readData, readEval, readLoss, readModel, readOptimizer } from './sections';
import type { ParsedSource } from './source';

const TOP_FIELDS = [
  'name',
  'seed',
  'data',
  'model',
  'loss',
  'optimizer',
  'batch_size',
  'steps',
  'epochs',
  'eval',
  'curvature',
  'instruments',
];

function defaultName(fileName: string): string {
  const base = basename(fileName, extname(fileName));
  return base || 'run';
}

/** Facts about the data, or an issue at the field to blame. */
function factsOrIssue(c: IssueCollector, data: DataSpec, baseDir: string): DataFacts | undefined {
  try {
    return dataFacts(data, baseDir);
  } catch (e) {
    if (e instanceof IdxDataError) c.add(['data', e.field], e.message);
    else c.add(['data'], e instanceof Error ? e.message : String(e));
    return undefined;
  }
}

/** Validates `value` (already parsed from `fileName`) into a normalized RunDefinition. */
export function validateDefinition(
  source: ParsedSource,
  fileName: string,
): { definition?: RunDefinition; issues: DefinitionIssue[] } {
  const c = new IssueCollector(source.lineOf);
  const value = source.value;
  if (value === null || value === undefined) {
    c.add(
      [],
      `the definition is empty; expected a mapping with ${TOP_FIELDS.slice(2, 7).join(', ')}, ...`,
    );
    return { issues: c.issues };
  }
  const top: Obj | undefined = readMapping(c, value, [], 'a run definition');
  if (!top) return { issues: c.issues };
  checkKnownFields(c, top, [], TOP_FIELDS);

  let name = defaultName(fileName);
  if (top.name !== undefined) {
    if (typeof top.name === 'string' || typeof top.name === 'number') name = String(top.name);
    else c.add(['name'], `expected text, got ${describeValue(top.name)}`);
  }
  const seed = readNumber(c, top, 'seed', [], { integer: true, min: 0 }, 0);
  const baseDir = dirname(resolve(fileName));
  const data = readData(c, top.data);
  // `model` lists layers, or names a model file whose layers and weights are imported.
  const fromFile = isObj(top.model) ? readModelFile(c, top.model, baseDir) : undefined;
  const model = isObj(top.model) ? fromFile?.layers : readModel(c, top.model);
  const loss = readLoss(c, top.loss);
  const optimizer = readOptimizer(c, top.optimizer);
  const batchSize = readNumber(c, top, 'batch_size', [], { integer: true, min: 1 }, 'required');
  const steps = readNumber(c, top, 'steps', [], { integer: true, min: 1 }, undefined);
  const epochs = readNumber(c, top, 'epochs', [], { integer: true, min: 1 }, undefined);
  if (top.steps === undefined && top.epochs === undefined) {
    c.add(
      ['steps'],
      "missing 'steps' (optimizer steps) or 'epochs' (passes over the training data)",
    );
  }
  const evalSpec = readEval(c, top.eval);
  const curvature = readCurvatureSection(c, top.curvature);
  const instruments = readInstrumentsSection(c, top.instruments);

  const facts = data ? factsOrIssue(c, data, baseDir) : undefined;
  if (facts && loss && checkLossAgainstData(c, loss, facts) && model) {
    if (!fromFile) checkShapes(c, model, facts, loss);
    else if (checkModelFileAgainstData(c, fromFile, facts)) {
      const { file, origins } = fromFile.model;
      checkShapes(c, model, facts, loss, {
        path: fromFile.path,
        where: (i) => `${file}: ${origins[i]}`,
      });
    }
  }
  if (facts && batchSize !== undefined && batchSize > facts.trainCount) {
    c.add(
      ['batch_size'],
      `batch_size ${batchSize} is larger than the ${facts.trainCount} training samples`,
    );
  }
  const subsampling =
    optimizer?.type === 'damped_newton' ? optimizer.curvature.subsampling : undefined;
  if (subsampling !== undefined && batchSize !== undefined && subsampling > batchSize) {
    c.add(
      ['optimizer', 'curvature', 'subsampling'],
      `${subsampling} is more than the batch_size of ${batchSize} (the curvature uses samples of each batch)`,
    );
  }
  const monitor = curvature.spec;
  if (monitor?.batch === 'train' && batchSize !== undefined && monitor.samples > batchSize) {
    c.add(
      ['curvature', 'samples'],
      `${monitor.samples} is more than the batch_size of ${batchSize} (batch: train uses rows of each training batch; use batch: fixed for more)`,
    );
  }
  if (monitor?.batch === 'fixed' && facts && monitor.samples > facts.trainCount) {
    c.add(
      ['curvature', 'samples'],
      `${monitor.samples} is more than the ${facts.trainCount} training samples`,
    );
  }
  if (facts && evalSpec?.samples !== undefined && evalSpec.samples > facts.testCount) {
    c.add(
      ['eval', 'samples'],
      `${evalSpec.samples} is more than the ${facts.testCount} test samples`,
    );
  }

  const issues = c.issues.slice().sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
  if (
    issues.length > 0 ||
    !data ||
    !model ||
    !loss ||
    !optimizer ||
    batchSize === undefined ||
    !evalSpec ||
    !curvature.ok ||
    !instruments.ok
  ) {
    return { issues };
  }
  const definition: RunDefinition = {
    name,
    seed: seed ?? 0,
    data,
    model,
    loss,
    optimizer,
    batch_size: batchSize,
    eval: evalSpec,
  };
  if (fromFile) definition.model_file = fromFile.file;
  if (monitor) definition.curvature = monitor;
  if (instruments.spec) definition.instruments = instruments.spec;
  // steps wins when both are given (protocol: exactly one is set after validation).
  if (steps !== undefined) definition.steps = steps;
  else if (epochs !== undefined) definition.epochs = epochs;
  return { definition, issues: [] };
}
