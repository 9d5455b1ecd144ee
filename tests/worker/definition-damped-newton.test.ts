// Run definitions with the damped_newton optimizer: defaults, shorthands, the example file, and
// issues that name the field and line.
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatIssue, type DefinitionIssue } from '../../src/protocol/definition';
import { loadDefinitionFile, parseDefinition } from '../../src/worker/definition';

const EXAMPLES = resolve(__dirname, '../../resources/examples');

/** A valid definition; `optimizer` is the YAML of the optimizer section (indented by 2). */
function text(optimizer: string, batch = 32): string {
  return `data: {source: synthetic, features: 4, outputs: 3, train_size: 64, test_size: 16}
model:
  - {type: linear, in: 4, out: 3}
loss: cross_entropy
optimizer:
${optimizer}
batch_size: ${batch}
steps: 5
`;
}
const OPTIMIZER_LINE = 6; // the first line of the optimizer section's body

function issuesOf(optimizer: string, batch?: number): DefinitionIssue[] {
  return parseDefinition(text(optimizer, batch), 'run.yaml').issues;
}

describe('damped_newton definitions', () => {
  it('fills the defaults: lr 1, bootstrap damping with the library defaults, exact whole GGN', () => {
    const { definition, issues } = parseDefinition(text('  type: damped_newton'), 'run.yaml');
    expect(issues).toEqual([]);
    expect(definition!.optimizer).toEqual({
      type: 'damped_newton',
      lr: 1,
      damping: {
        type: 'bootstrap',
        grid: { min: 1e-3, max: 1e2, count: 100 },
        resamples: 100,
        quantile: 0.05,
        variant: 'shared_index',
      },
      eig_threshold: 1e-2,
      curvature: { mc_samples: 0, groups: 'whole' },
    });
  });

  it('reads every field, and a bare number as constant damping', () => {
    const full = `  type: damped_newton
  lr: 0.5
  damping: {type: bootstrap, grid: {min: 1e-4, max: 10, count: 7}, resamples: 20, quantile: 0.1, variant: independent}
  eig_threshold: 0
  top_k: 12
  curvature: {subsampling: 16, mc_samples: 2, groups: per_layer}`;
    const { definition, issues } = parseDefinition(text(full), 'run.yaml');
    expect(issues).toEqual([]);
    expect(definition!.optimizer).toEqual({
      type: 'damped_newton',
      lr: 0.5,
      damping: {
        type: 'bootstrap',
        grid: { min: 1e-4, max: 10, count: 7 },
        resamples: 20,
        quantile: 0.1,
        variant: 'independent',
      },
      eig_threshold: 0,
      top_k: 12,
      curvature: { subsampling: 16, mc_samples: 2, groups: 'per_layer' },
    });
    for (const damping of ['0.25', '{type: constant, value: 0.25}']) {
      const r = parseDefinition(text(`  type: damped_newton\n  damping: ${damping}`), 'run.yaml');
      expect(r.issues).toEqual([]);
      expect(r.definition!.optimizer).toMatchObject({ damping: { type: 'constant', value: 0.25 } });
    }
  });

  it('the example mnist-mlp-damped-newton.yaml is valid', async () => {
    const file = 'mnist-mlp-damped-newton.yaml';
    const { definition, issues } = await loadDefinitionFile(join(EXAMPLES, file));
    expect(issues.map((i) => formatIssue(i, file))).toEqual([]);
    expect(definition!.optimizer).toMatchObject({
      type: 'damped_newton',
      damping: { type: 'bootstrap', variant: 'shared_index' },
      curvature: { mc_samples: 1 },
    });
  });

  it.each([
    [
      '  weight_decay: 0.1',
      'optimizer.weight_decay',
      /unknown field 'weight_decay'; allowed here: type, lr, damping, eig_threshold, top_k, curvature/,
      1,
    ],
    [
      '  damping: {type: constnt, value: 1}',
      'optimizer.damping.type',
      /unknown damping 'constnt'; did you mean 'constant'\?/,
      1,
    ],
    ['  damping: {type: constant}', 'optimizer.damping.value', /missing required field 'value'/, 1],
    ['  damping: -1', 'optimizer.damping', /must be a number >= 0, got -1/, 1],
    [
      '  damping: [1, 2]',
      'optimizer.damping',
      /expected a number \(constant damping\) or a mapping with type: constant, bootstrap, got a list/,
      1,
    ],
    [
      '  damping:\n    type: bootstrap\n    grid: {min: 10, max: 1}',
      'optimizer.damping.grid.max',
      /must be >= min \(10\), got 1/,
      3,
    ],
    [
      '  damping: {type: bootstrap, grid: {min: 0}}',
      'optimizer.damping.grid.min',
      /must be a number > 0, got 0/,
      1,
    ],
    [
      '  damping: {type: bootstrap, quantile: 1}',
      'optimizer.damping.quantile',
      /must be a number in \(0, 1\), got 1/,
      1,
    ],
    [
      '  damping: {type: bootstrap, resamples: 2.5}',
      'optimizer.damping.resamples',
      /must be an integer >= 1, got 2.5/,
      1,
    ],
    [
      '  damping: {type: bootstrap, variant: shared}',
      'optimizer.damping.variant',
      /unknown bootstrap variant 'shared'.*Allowed: shared_index, independent/,
      1,
    ],
    ['  type: damped_newton\n  top_k: 0', 'optimizer.top_k', /must be an integer >= 1, got 0/, 1],
    ['  eig_threshold: -0.1', 'optimizer.eig_threshold', /must be a number >= 0, got -0.1/, 1],
    [
      '  curvature:\n    groups: layers',
      'optimizer.curvature.groups',
      /unknown parameter grouping 'layers'.*Allowed: whole, per_layer/,
      2,
    ],
    [
      '  curvature: {mc_samples: -1}',
      'optimizer.curvature.mc_samples',
      /must be an integer >= 0, got -1/,
      1,
    ],
    [
      '  curvature: {subsampling: 64}',
      'optimizer.curvature.subsampling',
      /64 is more than the batch_size of 32/,
      1,
    ],
    [
      '  type: damped_newwton',
      'optimizer.type',
      /unknown optimizer 'damped_newwton'; did you mean 'damped_newton'\?/,
      0,
    ],
  ])('%s (%s) is reported at its field and line', (optimizer, path, message, lineOffset) => {
    // Each case is the optimizer body after `type: damped_newton` (unless it sets the type).
    const body = optimizer.startsWith('  type:')
      ? optimizer
      : `  type: damped_newton\n${optimizer}`;
    const issue = issuesOf(body);
    expect(issue, JSON.stringify(issue)).toHaveLength(1);
    expect(issue[0].path).toBe(path);
    expect(issue[0].message).toMatch(message);
    expect(issue[0].line).toBe(OPTIMIZER_LINE + lineOffset);
  });
});
