// A synthetic session log written with the real codec (src/protocol/log-codec.ts), for the
// dashboard browser tests and the renderer frame-time bench: step records, a curvature record
// every 10 steps (K directions of plausible spectra, noise and overlaps), optional eval, damping
// and inspect records. Deterministic for a seed, so screenshots and timings stay comparable.
import { encodeRecord } from '../../../src/protocol/log-codec';
import { headerRecord } from '../../helpers/records';
import { uniforms } from '../../helpers/rng';
import type {
  BodyRecord,
  CurvatureRecord,
  DampingRecord,
  HeaderRecord,
  InspectRecord,
} from '../../../src/protocol/records';

export interface SyntheticLogOptions {
  name: string;
  steps: number;
  /** Nontrivial directions per curvature record. */
  k: number;
  seed: number;
  /** The loss falls like 2.3 / (1 + step / horizon). */
  horizon: number;
  /** An eval record every this many steps (0: none). */
  evalEvery: number;
  /** A damping record per step (the damping panel's data). */
  damping: boolean;
  /** One inspect record at the end (the inspector's data). */
  inspect: boolean;
}

const floats = (length: number, value: (i: number) => number): Float64Array =>
  Float64Array.from({ length }, (_, i) => value(i));

function header(o: SyntheticLogOptions): HeaderRecord {
  const base = headerRecord({ name: o.name });
  return {
    ...base,
    definition: {
      ...base.definition,
      batch_size: 128,
      epochs: undefined,
      steps: o.steps,
      eval: { every: o.evalEvery || 100 },
    },
    backend: { chosen: 'wasm', skipped: [] },
    versions: { app: 'synthetic' },
    startTime: '2026-01-01T00:00:00.000Z',
    trainSamples: 60000,
    testSamples: 10000,
  };
}

function curvature(step: number, o: SyntheticLogOptions, rand: () => number): CurvatureRecord {
  const { k } = o;
  const eigenvalues = floats(k, (i) => 20 * 10 ** (-4 * (i / k)) * (1 + 0.2 * rand())).sort(
    (a, b) => b - a,
  );
  const gammaMean = eigenvalues.map((l) => (rand() - 0.5) * Math.sqrt(l));
  const g2 = gammaMean.reduce((s, g) => s + g * g, 0) / 0.7;
  return {
    type: 'curvature',
    step,
    batch: 'fixed',
    samples: 128,
    gradSamples: 128,
    mcSamples: 0,
    loss: 2.3 / (1 + step / o.horizon),
    gradNorm: Math.sqrt(g2),
    layerNames: ['model[1] linear', 'model[3] linear'],
    groups: [
      {
        name: 'all',
        params: [0, 1, 2, 3],
        eigenvalues,
        gammaMean,
        lambdaMean: eigenvalues.map((l) => l * (0.8 + 0.4 * rand())),
        snrGamma: eigenvalues.map((l) => 0.05 * l * (0.5 + rand())),
        snrLambda: eigenvalues.map((l) => 2 * Math.sqrt(l) * (0.5 + rand())),
        overlap: gammaMean.map((g) => (g * g) / g2),
        flatRemainder: 0.3,
        layerShares: [Float64Array.of(0.9, 0.1)],
      },
    ],
    timings: { sweep: 40, eigen: 12 },
  };
}

function damping(step: number, rand: () => number): DampingRecord {
  const lambdaMean = floats(20, (k) => 10 * 10 ** (-3 * (k / 20)));
  const gammaMean = lambdaMean.map(() => rand() - 0.5);
  const delta = lambdaMean.map((l, k) =>
    k > 16 ? Infinity : l * (0.1 + rand()) * (1 + step / 100),
  );
  const stepLength = gammaMean.map((g, k) =>
    Number.isFinite(delta[k]) ? -g / (lambdaMean[k] + delta[k]) : 0,
  );
  return {
    type: 'damping',
    step,
    groupSizes: [20],
    lambdaMean,
    gammaMean,
    damping: delta,
    stepLength,
    predictedChange: -0.01 * (1 + rand()),
    actualChange: -0.01 * (0.5 + rand()),
  };
}

function inspect(step: number, rand: () => number): InspectRecord {
  const n = 128;
  const t = floats(21, (i) => -1 + i / 10);
  return {
    type: 'inspect',
    step,
    group: 0,
    direction: 2,
    eigenvalue: 5,
    gammas: floats(n, () => rand() - 0.4),
    lambdas: floats(n, () => 5 * rand() * rand()),
    sampleIndices: Array.from({ length: n }, (_, i) => 1000 + i),
    layerNames: ['model[1] linear', 'model[3] linear'],
    layerShares: Float64Array.of(0.85, 0.15),
    slice: {
      t,
      loss: t.map((x) => 0.4 + 0.1 * x + 2.5 * x * x - 0.8 * x * x * x),
      quadratic: t.map((x) => 0.4 + 0.1 * x + 2.5 * x * x),
    },
  };
}

/** The body records of steps `from`..`to` (inclusive), drawing numbers from `rand`. */
function stepRecords(
  o: SyntheticLogOptions,
  from: number,
  to: number,
  rand: () => number,
): BodyRecord[] {
  const records: BodyRecord[] = [];
  for (let s = from; s <= to; s++) {
    if ((s - 1) % 10 === 0) records.push(curvature(s - 1, o, rand));
    records.push({
      type: 'step',
      step: s,
      epoch: Math.floor(s / 469),
      loss: 2.3 / (1 + s / o.horizon) + 0.05 * rand(),
      accuracy: Math.min(0.97, 0.1 + s / (6 * o.horizon)),
      time: s * 0.05,
      stepMs: 50,
      samplesPerSec: 2560,
    });
    if (o.damping) records.push(damping(s, rand));
    if (o.evalEvery > 0 && s % o.evalEvery === 0) {
      records.push({
        type: 'eval',
        step: s,
        loss: 2.3 / (1 + s / o.horizon),
        accuracy: 0.9,
        samples: 10000,
      });
    }
  }
  return records;
}

/** The whole log as JSON Lines text. */
export function syntheticLog(o: SyntheticLogOptions): string {
  const rand = uniforms(o.seed);
  const records = stepRecords(o, 1, o.steps, rand);
  if (o.inspect) records.push(inspect(o.steps, rand));
  return [header(o), ...records].map((r) => encodeRecord(r)).join('');
}

/**
 * A run that goes on after the log: `next(count)` gives the records of the next `count` steps
 * (as a running worker would send them), starting after the log's last step.
 */
export function syntheticContinuation(o: SyntheticLogOptions): {
  next(count: number): BodyRecord[];
} {
  const rand = uniforms(o.seed + 1);
  let step = o.steps + 1;
  return {
    next(count) {
      const records = stepRecords(o, step, step + count - 1, rand);
      step += count;
      return records;
    },
  };
}
