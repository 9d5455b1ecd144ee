// Host → renderer message cost: binary frames (typed arrays) against JSON text, per record kind.
//
//   npm run bench -- wire [--repeats 200]
//
// For a curvature record (K directions, one group, layer shares for the first 10) and an inspect
// record (N samples, 16 MNIST-sized pictures), measures the frame size and the median time to
// encode on the host plus decode in the renderer (both include validation, as in the app), for
// the binary wire format (src/protocol/wire-codec.ts) and for the JSON text the web host sent
// before (the log line codec plus JSON.parse and validation).
import { encodeRecord } from '../src/protocol/log-codec';
import type { HostEvent } from '../src/protocol/host';
import type { BodyRecord, CurvatureRecord, InspectRecord } from '../src/protocol/records';
import { validateLogRecord } from '../src/protocol/validate';
import { decodeHostEvent, encodeHostEvent } from '../src/protocol/wire-codec';
import { uniforms } from '../tests/helpers/rng';
import { median } from './problems';

const argv = process.argv.slice(2);
const at = argv.indexOf('--repeats');
const REPEATS = at >= 0 ? Number(argv[at + 1]) : 200;

const random = uniforms(12345);
const floats = (n: number): Float64Array => Float64Array.from({ length: n }, () => random() * 1e3);

function curvature(k: number): CurvatureRecord {
  return {
    type: 'curvature',
    step: 100,
    batch: 'fixed',
    samples: 128,
    gradSamples: 128,
    mcSamples: 0,
    loss: 0.3,
    gradNorm: 1.2,
    layerNames: ['model[1] linear', 'model[3] linear', 'model[5] linear'],
    groups: [
      {
        name: 'all',
        params: [0, 1, 2, 3, 4, 5],
        eigenvalues: floats(k),
        gammaMean: floats(k),
        lambdaMean: floats(k),
        snrGamma: floats(k),
        snrLambda: floats(k),
        overlap: floats(k),
        flatRemainder: 0.2,
        layerShares: Array.from({ length: 10 }, () => floats(3)),
      },
    ],
    timings: { sweep: 40, eigen: 12 },
  };
}

function inspect(n: number): InspectRecord {
  return {
    type: 'inspect',
    step: 100,
    group: 0,
    direction: 3,
    eigenvalue: 4,
    gammas: floats(n),
    lambdas: floats(n),
    sampleIndices: Array.from({ length: n }, (_, i) => 1000 + i),
    layerNames: ['model[1] linear', 'model[3] linear', 'model[5] linear'],
    layerShares: floats(3),
    slice: { t: floats(41), loss: floats(41), quadratic: floats(41) },
    images: {
      width: 28,
      height: 28,
      channels: 1,
      positions: Array.from({ length: 16 }, (_, i) => i),
      pixels: Uint8Array.from({ length: 16 * 784 }, () => Math.floor(random() * 256)),
    },
  };
}

/** The JSON text path: a log line per record, parsed and validated (revived) on arrival. */
function jsonRoundTrip(records: BodyRecord[]): number {
  const text = `{"kind":"records","records":[${records.map((r) => encodeRecord(r).trimEnd()).join(',')}]}`;
  const event = JSON.parse(text) as { records: unknown[] };
  for (const record of event.records) validateLogRecord(record);
  return text.length;
}

function binaryRoundTrip(records: BodyRecord[]): number {
  const frame = encodeHostEvent({ kind: 'records', records } satisfies HostEvent);
  decodeHostEvent(frame);
  return frame.length;
}

function measure(run: () => number): { bytes: number; ms: number } {
  let bytes = 0;
  for (let i = 0; i < 10; i++) bytes = run(); // warm up
  const times: number[] = [];
  for (let i = 0; i < REPEATS; i++) {
    const t0 = performance.now();
    run();
    times.push(performance.now() - t0);
  }
  return { bytes, ms: median(times) };
}

const cases: [string, BodyRecord[]][] = [
  ['curvature K = 30', [curvature(30)]],
  ['curvature K = 1000', [curvature(1000)]],
  ['curvature K = 5000', [curvature(5000)]],
  ['inspect N = 128, 16 images', [inspect(128)]],
  ['inspect N = 2048, 16 images', [inspect(2048)]],
];

console.log(`host → renderer, encode + decode (incl. validation), median of ${REPEATS}\n`);
console.log(
  'record'.padEnd(30) +
    'JSON bytes'.padStart(12) +
    'binary bytes'.padStart(14) +
    'JSON ms'.padStart(10) +
    'binary ms'.padStart(11) +
    'time ratio'.padStart(12),
);
for (const [name, records] of cases) {
  const json = measure(() => jsonRoundTrip(records));
  const binary = measure(() => binaryRoundTrip(records));
  console.log(
    name.padEnd(30) +
      String(json.bytes).padStart(12) +
      String(binary.bytes).padStart(14) +
      json.ms.toFixed(3).padStart(10) +
      binary.ms.toFixed(3).padStart(11) +
      (binary.ms / json.ms).toFixed(2).padStart(12),
  );
}
