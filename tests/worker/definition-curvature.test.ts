// The run definition's `curvature` section: defaults, shorthands, and errors with field and line.
import { describe, expect, it } from 'vitest';
import type { DefinitionIssue } from '../../src/protocol/definition';
import { parseDefinition } from '../../src/worker/definition';
import { logScheduleSteps, scheduledSteps } from '../../src/worker/curvature/schedule';

const BASE = `name: test
data:
  source: synthetic
  features: 4
  outputs: 3
  train_size: 64
model:
  - type: linear
    in: 4
    out: 3
loss: cross_entropy
optimizer:
  type: sgd
  lr: 0.1
batch_size: 16
steps: 10
`;

function only(issues: DefinitionIssue[]): DefinitionIssue {
  expect(issues, JSON.stringify(issues)).toHaveLength(1);
  return issues[0];
}

describe('definition: curvature section', () => {
  it('is absent by default, and `curvature: true` takes every default', () => {
    expect(parseDefinition(BASE, 'run.yaml').definition?.curvature).toBeUndefined();
    const { definition, issues } = parseDefinition(BASE + 'curvature: true\n', 'run.yaml');
    expect(issues).toEqual([]);
    expect(definition?.curvature).toEqual({
      quantities: ['eigenvalues', 'gammas', 'lambdas', 'snr', 'overlap', 'layer_shares'],
      schedule: { every: 10 },
      batch: 'fixed',
      samples: 32,
      mc_samples: 1,
      groups: 'whole',
      eig_threshold: 1e-4,
    });
  });

  it('reads every field; eigenvalues are always included; a number is {every: k}', () => {
    const text =
      BASE +
      `curvature:
  quantities: [snr, eigenvectors]
  schedule: 5
  batch: train
  samples: 8
  mc_samples: 0
  groups: per_layer
  top_k: 4
  eig_threshold: 0.001
`;
    const { definition, issues } = parseDefinition(text, 'run.yaml');
    expect(issues).toEqual([]);
    expect(definition?.curvature).toEqual({
      quantities: ['eigenvalues', 'snr', 'layer_shares'],
      schedule: { every: 5 },
      batch: 'train',
      samples: 8,
      mc_samples: 0,
      groups: 'per_layer',
      top_k: 4,
      eig_threshold: 0.001,
    });
  });

  it('reads a log schedule', () => {
    const text = BASE + 'curvature:\n  schedule: {log: {start: 1, end: 1000, points: 4}}\n';
    const { definition, issues } = parseDefinition(text, 'run.yaml');
    expect(issues).toEqual([]);
    expect(definition?.curvature?.schedule).toEqual({ log: { start: 1, end: 1000, points: 4 } });
  });

  it('names an unknown field with a suggestion and its line', () => {
    const issue = only(parseDefinition(BASE + 'curvature:\n  sampels: 8\n', 'run.yaml').issues);
    expect(issue).toEqual({
      path: 'curvature.sampels',
      message: "unknown field 'sampels'; did you mean 'samples'?",
      line: 18,
    });
  });

  it('rejects an unknown quantity at its list position', () => {
    const issue = only(
      parseDefinition(BASE + 'curvature:\n  quantities: [eigenvalues, snrs]\n', 'run.yaml').issues,
    );
    expect(issue.path).toBe('curvature.quantities[1]');
    expect(issue.message).toContain("unknown quantity 'snrs'; did you mean 'snr'?");
    expect(issue.line).toBe(18);
  });

  it('rejects a schedule with both or neither of every/log, and end < start', () => {
    let issue = only(
      parseDefinition(BASE + 'curvature:\n  schedule: {every: 2, log: {end: 9}}\n', 'run.yaml')
        .issues,
    );
    expect(issue.path).toBe('curvature.schedule');
    expect(issue.message).toContain("exactly one of 'every'");
    issue = only(
      parseDefinition(BASE + 'curvature:\n  schedule:\n    log: {start: 50, end: 10}\n', 'run.yaml')
        .issues,
    );
    expect(issue).toMatchObject({ path: 'curvature.schedule.log.end', line: 19 });
    expect(issue.message).toBe('must be >= start (50), got 10');
  });

  it('rejects bad numbers and choices', () => {
    const text =
      BASE + 'curvature:\n  mc_samples: -1\n  batch: held\n  samples: 0\n  eig_threshold: -1\n';
    const issues = parseDefinition(text, 'run.yaml').issues;
    expect(issues.map((i) => [i.path, i.line])).toEqual([
      ['curvature.mc_samples', 18],
      ['curvature.batch', 19],
      ['curvature.samples', 20],
      ['curvature.eig_threshold', 21],
    ]);
    expect(issues[1].message).toContain("unknown curvature batch 'held'");
  });

  it('a train curvature batch cannot exceed batch_size; a fixed one not the training set', () => {
    let issue = only(
      parseDefinition(BASE + 'curvature:\n  batch: train\n  samples: 17\n', 'run.yaml').issues,
    );
    expect(issue.path).toBe('curvature.samples');
    expect(issue.message).toContain('more than the batch_size of 16');
    issue = only(parseDefinition(BASE + 'curvature:\n  samples: 65\n', 'run.yaml').issues);
    expect(issue.message).toBe('65 is more than the 64 training samples');
  });
});

describe('curvature schedules', () => {
  it('every k: step 0 and the multiples of k', () => {
    const due = scheduledSteps({ every: 5 });
    expect([...Array(21).keys()].filter(due)).toEqual([0, 5, 10, 15, 20]);
  });

  it('log: rounded log-spaced steps, deduplicated, with step 0', () => {
    expect(logScheduleSteps(1, 1000, 4)).toEqual([0, 1, 10, 100, 1000]);
    expect(logScheduleSteps(1, 4, 6)).toEqual([0, 1, 2, 3, 4]);
    const due = scheduledSteps({ log: { start: 1, end: 1000, points: 4 } });
    expect([...Array(1001).keys()].filter(due)).toEqual([0, 1, 10, 100, 1000]);
  });
});
