// Preparing a run before its first step: the backend, the data (checked against the
// definition), the model (from a model file's weights when it names one), the batches, the
// held-out set, the curvature monitor, the instruments and the log header with the planned step count.
import * as tf from '@tensorflow/tfjs';
import { dirname, resolve } from 'node:path';
import { version as appVersion } from '../../package.json';
import { formatIssue, type RunDefinition } from '../protocol/definition';
import { planSteps } from '../protocol/plan';
import {
  LOG_FORMAT,
  LOG_VERSION,
  type BackendReport,
  type HeaderRecord,
} from '../protocol/records';
import type { WorkerCommand } from '../protocol/worker';
import { createTrainer, type Trainer } from '../vivit';
import { chooseBackend, describeBackend } from './backend';
import { scheduledSteps } from './curvature/schedule';
import { BatchSource, type TensorBatch } from './data/batches';
import type { Dataset } from './data/dataset';
import { loadDataset } from './data/load';
import { checkDefinitionAgainstData } from './definition/fit';
import { modelFileWeights } from './definition/import/index';
import { createInstruments, type InstrumentsState } from './instruments/run-instruments';
import type { Monitor } from './run';

export interface PreparedRun {
  header: HeaderRecord;
  definition: RunDefinition;
  trainer: Trainer;
  batches: BatchSource;
  evalSet: TensorBatch;
  maxSteps: number;
  monitor?: Monitor;
  instruments?: InstrumentsState;
}

/**
 * Everything a run needs before its first step, reporting progress through `status`. Returns
 * undefined when `current()` turns false (a stop or a new start overtook it); throws, having
 * released what it built, when the run cannot start.
 */
export async function prepareRun(
  command: Extract<WorkerCommand, { type: 'start' }>,
  current: () => boolean,
  status: (message: string) => void,
): Promise<PreparedRun | undefined> {
  const definition = command.definition;
  let dataset: Dataset | undefined;
  let trainer: Trainer | undefined;
  let evalSet: TensorBatch | undefined;
  try {
    status('choosing a compute backend…');
    const backend = await chooseBackend();
    if (!current()) return undefined;
    status(describeBackend(backend));

    status(`loading ${definition.data.source} data…`);
    const baseDir = command.definitionPath
      ? dirname(resolve(command.definitionPath))
      : process.cwd();
    dataset = await loadDataset(definition.data, definition.seed, baseDir);
    if (!current()) return undefined;
    const issues = checkDefinitionAgainstData(definition, {
      inputShape: dataset.inputShape,
      task: dataset.task,
      outputs: dataset.outputs,
      trainCount: dataset.train.count,
      testCount: dataset.test.count,
      label: dataset.description,
    });
    if (issues.length > 0) {
      throw new Error(
        `the definition does not fit the data: ${issues.map((i) => formatIssue(i)).join('; ')}`,
      );
    }

    status(`building the model (${dataset.description})…`);
    trainer = createTrainer({
      layers: definition.model,
      inputShape: dataset.inputShape,
      loss: definition.loss,
      optimizer: definition.optimizer,
      seed: definition.seed,
    });
    // A model read from a file starts from the file's weights.
    if (definition.model_file) trainer.loadParameters(modelFileWeights(definition, baseDir));
    const batches = new BatchSource(
      dataset,
      definition.loss,
      definition.batch_size,
      definition.seed,
    );
    evalSet = batches.evalSet(definition.eval.samples);
    const maxSteps = planSteps(definition, dataset.train.count, command.maxSteps);

    let monitor: Monitor | undefined;
    const spec = definition.curvature;
    if (spec) {
      monitor = { spec, due: scheduledSteps(spec.schedule), measuredStep: -1 };
      if (spec.batch === 'fixed') {
        const indices = batches.fixedIndices(spec.samples);
        monitor.fixed = { ...batches.tensors(indices), indices };
      }
    }
    const header = runHeader(definition, command.definitionPath, backend, trainer, dataset);
    header.plannedSteps = maxSteps; // the one count every reader of the log uses
    // Last: θ₀'s copies must not leak when something above throws.
    const instruments = definition.instruments
      ? createInstruments(definition.instruments, trainer)
      : undefined;
    return {
      header,
      definition,
      trainer,
      batches,
      evalSet,
      maxSteps,
      ...(monitor && { monitor }),
      ...(instruments && { instruments }),
    };
  } catch (e) {
    trainer?.dispose();
    if (evalSet) tf.dispose([evalSet.x, evalSet.y]);
    throw e;
  }
}

export function runHeader(
  definition: RunDefinition,
  definitionPath: string | undefined,
  backend: BackendReport,
  trainer: Trainer,
  dataset: Dataset,
): HeaderRecord {
  const versions: Record<string, string> = {
    app: appVersion,
    node: process.versions.node,
    v8: process.versions.v8,
    tfjs: tf.version.tfjs ?? tf.version_core,
  };
  if (process.versions.electron) versions.electron = process.versions.electron;
  const header: HeaderRecord = {
    type: 'header',
    format: LOG_FORMAT,
    version: LOG_VERSION,
    name: definition.name,
    definition,
    backend,
    versions,
    startTime: new Date().toISOString(),
    parameterCount: trainer.parameterCount,
    trainSamples: dataset.train.count,
    testSamples: dataset.test.count,
  };
  if (definitionPath) header.definitionPath = definitionPath;
  return header;
}
