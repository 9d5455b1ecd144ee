// The run definition's `instruments` section: defaults, shorthands, and errors with field and line.
import { describe, expect, it } from 'vitest';
import { parseDefinition } from '../../src/worker/definition';

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

const parse = (text: string) => parseDefinition(BASE + text, 'run.yaml');

describe('definition: instruments section', () => {
  it('is absent by default; `instruments: true` turns every group on with its defaults', () => {
    expect(parse('').definition?.instruments).toBeUndefined();
    const { definition, issues } = parse('instruments: true\n');
    expect(issues).toEqual([]);
    expect(definition?.instruments).toEqual({
      noise: { schedule: { every: 50 } },
      step: { schedule: { every: 50 } },
      histograms: { schedule: { every: 500 }, gradient_bins: 40, param_bins: 40 },
    });
  });

  it('reads each group with its own schedule; absent or false groups are off', () => {
    const { definition, issues } = parse(`instruments:
  noise: 5
  step: false
  histograms:
    schedule: {log: {start: 1, end: 1000, points: 10}}
    gradient_bins: 64
`);
    expect(issues).toEqual([]);
    expect(definition?.instruments).toEqual({
      noise: { schedule: { every: 5 } },
      histograms: {
        schedule: { log: { start: 1, end: 1000, points: 10 } },
        gradient_bins: 64,
        param_bins: 40,
      },
    });
    expect(parse('instruments: {step: true}\n').definition?.instruments).toEqual({
      step: { schedule: { every: 50 } },
    });
    expect(parse('instruments: {noise: false}\n').definition?.instruments).toBeUndefined();
  });

  it('names the field and line of a mistake', () => {
    const issuesOf = (text: string) =>
      parse(text).issues.map((i) => `${i.line}: ${i.path}: ${i.message}`);
    expect(issuesOf('instruments:\n  noize: true\n')[0]).toMatch(
      /^18: instruments.noize: .*did you mean 'noise'/,
    );
    expect(issuesOf('instruments:\n  noise: {schedule: {every: 0}}\n')).toEqual([
      '18: instruments.noise.schedule.every: must be an integer >= 1, got 0',
    ]);
    expect(issuesOf('instruments:\n  histograms: {gradient_bins: 1}\n')[0]).toMatch(
      /^18: instruments.histograms.gradient_bins: must be an integer in \[2, 400\], got 1/,
    );
    expect(issuesOf('instruments:\n  step: {every: 5}\n')[0]).toMatch(
      /^18: instruments.step.every: unknown field 'every'; allowed here: schedule/,
    );
    expect(issuesOf('instruments: 3\n')[0]).toMatch(
      /^17: instruments: expected the instruments section/,
    );
  });
});
