// Checks that need both the definition and facts about its data: used by validation (facts from
// headers) and again by the worker once the data is loaded (the files may have changed since).
import type {
  DefinitionIssue,
  LayerSpec,
  LossName,
  RunDefinition,
} from '../../protocol/definition';
import { LayerShapeError, outputShapes } from '../../vivit/spec';
import type { DataFacts } from '../data/dataset';
import { IssueCollector } from './fields';
import type { FieldPath } from './source';

/** Where issues about an imported model go: one field, the file's node or layer in the text. */
export interface ModelOrigin {
  path: FieldPath;
  where(index: number): string;
}

export function checkLossAgainstData(c: IssueCollector, loss: LossName, facts: DataFacts): boolean {
  // mse on class labels is allowed: targets become one-hot vectors (squared-loss
  // classification, a well-studied setup with a simple GGN). cross_entropy on real-valued
  // targets has no meaning, so that is an error.
  if (loss === 'cross_entropy' && facts.task === 'regression') {
    c.add(
      ['loss'],
      `cross_entropy needs class labels, but ${facts.label} has real-valued targets; use loss: mse` +
        (facts.label.startsWith('synthetic') ? ' (or data.task: classification)' : ''),
    );
    return false;
  }
  return true;
}

/** Layers that keep the feature count; looking past them finds the layer that sets the output. */
const SIZE_KEEPING = new Set([
  'relu',
  'sigmoid',
  'tanh',
  'identity',
  'leaky_relu',
  'elu',
  'dropout',
  'flatten',
]);

/** The shape chain (via the engine's outputShapes) and the final output size. */
export function checkShapes(
  c: IssueCollector,
  model: LayerSpec[],
  facts: DataFacts,
  loss: LossName,
  origin?: ModelOrigin,
): void {
  const report = (index: number, field: string | undefined, message: string): void => {
    if (origin) c.add(origin.path, `${origin.where(index)}: ${message}`);
    else c.add(field ? ['model', index, field] : ['model', index], message);
  };
  let shapes: number[][];
  try {
    shapes = outputShapes(model, facts.inputShape);
  } catch (e) {
    if (e instanceof LayerShapeError) {
      report(e.index, e.field, e.message);
      return;
    }
    throw e;
  }
  const last = shapes[shapes.length - 1];
  const wanted = facts.outputs;
  const what =
    facts.task === 'classification'
      ? `${wanted} outputs, one per class of ${facts.label}${loss === 'mse' ? ' (mse uses one-hot targets)' : ''}`
      : `${wanted} outputs, one per target of ${facts.label}`;
  if (last.length !== 1) {
    report(
      model.length - 1,
      undefined,
      `the model's output has shape [${last.join(', ')}] per sample, but ${loss} needs ${what}; end the model with flatten and linear`,
    );
    return;
  }
  if (last[0] === wanted) return;
  let i = model.length - 1;
  while (i > 0 && SIZE_KEEPING.has(model[i].type)) i--;
  const layer = model[i];
  const field =
    layer.type === 'linear' ? 'out' : layer.type === 'conv2d' ? 'out_channels' : undefined;
  report(
    field ? i : model.length - 1,
    field,
    `the model ends with ${last[0]} outputs, but ${loss} needs ${what}`,
  );
}

/** All data-dependent checks of a complete definition, without source lines. */
export function checkDefinitionAgainstData(
  definition: RunDefinition,
  facts: DataFacts,
): DefinitionIssue[] {
  const c = new IssueCollector(() => undefined);
  if (checkLossAgainstData(c, definition.loss, facts))
    checkShapes(c, definition.model, facts, definition.loss);
  if (definition.batch_size > facts.trainCount) {
    c.add(
      ['batch_size'],
      `batch_size ${definition.batch_size} is larger than the ${facts.trainCount} training samples`,
    );
  }
  const monitor = definition.curvature;
  if (monitor?.batch === 'fixed' && monitor.samples > facts.trainCount) {
    c.add(
      ['curvature', 'samples'],
      `${monitor.samples} is more than the ${facts.trainCount} training samples`,
    );
  }
  return c.issues;
}
