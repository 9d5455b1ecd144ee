// Headless `vivit-monitor train` writes the same curvature and instrument records as the app
// (it drives the host core): a separate process from the TypeScript source through tsx, real
// files.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseLog } from '../../src/protocol/log-codec';
import { tempDir } from './helpers';

const root = process.cwd();
const tsxLoader = pathToFileURL(createRequire(join(root, 'package.json')).resolve('tsx')).href;
const cliArgs = ['--import', tsxLoader, join(root, 'src/main/cli.ts')];

const TINY = `name: tiny monitored run
seed: 3
data: {source: synthetic, task: classification, features: 4, outputs: 3, train_size: 96, test_size: 32}
model:
  - {type: linear, in: 4, out: 8}
  - relu
  - {type: linear, in: 8, out: 3}
loss: cross_entropy
optimizer: {type: sgd, lr: 0.1}
batch_size: 16
steps: 100
eval: {every: 10}
curvature:
  schedule: {log: {start: 1, end: 20, points: 4}}
  batch: train
  samples: 8
instruments:
  noise: 10
  step: {schedule: {log: {start: 1, end: 20, points: 3}}}
  histograms: {schedule: 20, gradient_bins: 8, param_bins: 4}
`;

describe('vivit-monitor train with a curvature section', () => {
  let dir: ReturnType<typeof tempDir>;
  beforeEach(() => {
    dir = tempDir('vivit-cli-curv-');
    writeFileSync(join(dir.path, 'tiny.yaml'), TINY);
  });
  afterEach(() => dir.remove());

  it('writes curvature records on the log schedule into the session log', () => {
    const result = spawnSync(
      process.execPath,
      [...cliArgs, 'train', 'tiny.yaml', '--steps', '25', '--log', 'run.jsonl'],
      {
        cwd: dir.path,
        env: { ...process.env, VIVIT_MONITOR_HOME: join(dir.path, 'home') },
        encoding: 'utf8',
        timeout: 120_000,
      },
    );
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const log = parseLog(readFileSync(join(dir.path, 'run.jsonl'), 'utf8'));
    expect(log.problems).toEqual([]);
    expect(log.header.definition.curvature?.schedule).toEqual({
      log: { start: 1, end: 20, points: 4 },
    });
    // round(10^linspace(0, log10 20, 4)) = 1, 3, 7, 20, and step 0.
    const curvature = log.records.filter((r) => r.type === 'curvature');
    expect(curvature.map((r) => r.step)).toEqual([0, 1, 3, 7, 20]);
    for (const r of curvature) {
      expect(r).toMatchObject({ batch: 'train', samples: 8, mcSamples: 1 });
      expect(r.groups[0].eigenvalues.length).toBeGreaterThan(0);
      expect(r.groups[0].ggnTrace).toBeGreaterThan(0);
    }
    // Cockpit's instruments on their own schedules, every record valid as read back.
    const steps = (type: string) => log.records.filter((r) => r.type === type).map((r) => r.step);
    expect(steps('noise')).toEqual([0, 10, 20]);
    // round(10^linspace(0, log10 20, 3)) = 1, 4, 20 (updates; step 0 is no update).
    expect(steps('step_quality')).toEqual([1, 4, 20]);
    expect(steps('histogram')).toEqual([0, 20]);
    const histogram = log.records.find((r) => r.type === 'histogram');
    expect(histogram?.type === 'histogram' && histogram.gradient.counts).toHaveLength(8);
    expect(histogram?.type === 'histogram' && histogram.layers.map((l) => l.layer)).toEqual([
      'model[0] linear',
      'model[2] linear',
    ]);
  }, 120_000);
});
