// Checks of session-log records read back from files or binary frames: each record's fields,
// with the non-finite numbers the log encodes as strings turned back into numbers and number
// lists into Float64Arrays. Each returns the typed value or one message naming the field.
import { base64ToBytes } from './base64';
import { checkOptionalString, describeData as describe, MAX_PATH, type Checked } from './checked';
import { isObj as isObject } from './fields';
import {
  LOG_FORMAT,
  LOG_VERSION,
  type BodyRecord,
  type HeaderRecord,
  type LogRecord,
  type RunEventKind,
} from './records';

/** Where a curvature record's Gram eigenproblems were solved (optional: older logs lack it). */
const EIGENSOLVERS: readonly string[] = ['host', 'device', 'device-leading'];

const EVENT_KINDS: readonly RunEventKind[] = [
  'started',
  'paused',
  'resumed',
  'stopped',
  'finished',
  'error',
];

/**
 * JSON has no NaN or Infinity, yet a diverging run produces them and the log must keep them.
 * The codec writes them as these strings; numeric fields accept them back.
 */
const NON_FINITE: Record<string, number> = {
  NaN: Number.NaN,
  Infinity: Number.POSITIVE_INFINITY,
  '-Infinity': Number.NEGATIVE_INFINITY,
};

/** Accepts a number (or an encoded non-finite number) in place; returns an error or undefined. */
function reviveNumber(
  obj: Record<string, unknown>,
  key: string,
  opts: { optional?: boolean; integer?: boolean; finite?: boolean } = {},
): string | undefined {
  let v = obj[key];
  if (v === undefined && opts.optional) return undefined;
  if (typeof v === 'string' && v in NON_FINITE) {
    v = NON_FINITE[v];
    obj[key] = v;
  }
  if (typeof v !== 'number') return `${key} must be a number, got ${describe(v)}`;
  if (opts.finite && !Number.isFinite(v)) return `${key} must be finite, got ${v}`;
  if (opts.integer && !(Number.isInteger(v) && v >= 0)) {
    return `${key} must be a non-negative integer, got ${v}`;
  }
  return undefined;
}

/**
 * Accepts a list of numbers (encoded non-finite ones too), optionally of a length, and stores it
 * in place as a Float64Array; a Float64Array (a record that came through IPC or a binary frame)
 * is accepted as it is.
 */
function reviveNumberList(
  obj: Record<string, unknown>,
  key: string,
  length?: number,
): string | undefined {
  const list = obj[key];
  const isTyped = list instanceof Float64Array;
  if (!isTyped && !Array.isArray(list)) {
    return `${key} must be a list of numbers, got ${describe(list)}`;
  }
  const size = (list as ArrayLike<unknown>).length;
  if (length !== undefined && size !== length) {
    return `${key} has ${size} entries, expected ${length}`;
  }
  if (isTyped) return undefined;
  const entries = list as unknown as Record<string, unknown>;
  for (let i = 0; i < size; i++) {
    if (reviveNumber(entries, String(i))) {
      return `${key}[${i}] must be a number, got ${describe((list as unknown[])[i])}`;
    }
  }
  obj[key] = Float64Array.from(list as number[]);
  return undefined;
}

function listLength(value: unknown): number | undefined {
  return Array.isArray(value) || value instanceof Float64Array ? value.length : undefined;
}

function requireString(obj: Record<string, unknown>, key: string): string | undefined {
  return typeof obj[key] === 'string'
    ? undefined
    : `${key} must be a string, got ${describe(obj[key])}`;
}

function firstError(...checks: (() => string | undefined)[]): string | undefined {
  for (const check of checks) {
    const error = check();
    if (error) return error;
  }
  return undefined;
}

function checkHeader(r: Record<string, unknown>): string | undefined {
  if (r.format !== LOG_FORMAT) {
    return `format is ${describe(r.format)}, expected "${LOG_FORMAT}" (not a ViViT Monitor session log)`;
  }
  if (r.version !== LOG_VERSION) {
    return typeof r.version === 'number' && r.version > LOG_VERSION
      ? `log version ${r.version} is newer than this app reads (version ${LOG_VERSION}); update ViViT Monitor`
      : `log version ${describe(r.version)} is not supported (this app reads version ${LOG_VERSION})`;
  }
  return firstError(
    () => requireString(r, 'name'),
    () => requireString(r, 'startTime'),
    () => {
      const d = r.definition;
      if (!isObject(d)) return `definition must be an object, got ${describe(d)}`;
      if (!Array.isArray(d.model)) return 'definition.model must be a list of layers';
      return undefined;
    },
    () => checkOptionalString(r, 'definitionPath', MAX_PATH),
    () => {
      const b = r.backend;
      if (!isObject(b) || typeof b.chosen !== 'string' || !Array.isArray(b.skipped)) {
        return 'backend must be an object with "chosen" and "skipped"';
      }
      if (b.device !== undefined && typeof b.device !== 'string') {
        return 'backend.device must be a string (the GPU adapter) when present';
      }
      return undefined;
    },
    () => {
      const versions = r.versions;
      if (!isObject(versions) || Object.values(versions).some((v) => typeof v !== 'string')) {
        return 'versions must map names to version strings';
      }
      return undefined;
    },
    () => reviveNumber(r, 'parameterCount', { integer: true }),
    () => reviveNumber(r, 'trainSamples', { integer: true }),
    () => reviveNumber(r, 'testSamples', { integer: true }),
    () => reviveNumber(r, 'plannedSteps', { integer: true, optional: true }),
  );
}

function checkStringList(obj: Record<string, unknown>, key: string): string | undefined {
  const list = obj[key];
  return Array.isArray(list) && list.every((v) => typeof v === 'string')
    ? undefined
    : `${key} must be a list of strings, got ${describe(list)}`;
}

function checkIndexList(obj: Record<string, unknown>, key: string): string | undefined {
  const list = obj[key];
  return Array.isArray(list) && list.every((v) => Number.isInteger(v) && (v as number) >= 0)
    ? undefined
    : `${key} must be a list of non-negative integers, got ${describe(list)}`;
}

/** A per-direction list: K entries, or none when the quantity was not recorded. */
function reviveDirectionList(
  obj: Record<string, unknown>,
  key: string,
  k: number,
): string | undefined {
  return reviveNumberList(obj, key, listLength(obj[key]) === 0 ? 0 : k);
}

function checkCurvatureGroup(g: unknown, i: number, columns: number): string | undefined {
  if (!isObject(g)) return `groups[${i}] must be an object, got ${describe(g)}`;
  const k = listLength(g.eigenvalues) ?? 0;
  const error = firstError(
    () => requireString(g, 'name'),
    () => checkIndexList(g, 'params'),
    () => reviveNumberList(g, 'eigenvalues'),
    () => reviveDirectionList(g, 'gammaMean', k),
    () => reviveDirectionList(g, 'lambdaMean', k),
    () => reviveDirectionList(g, 'snrGamma', k),
    () => reviveDirectionList(g, 'snrLambda', k),
    () => reviveDirectionList(g, 'overlap', k),
    () => reviveNumber(g, 'flatRemainder'),
    () => reviveNumber(g, 'ggnTrace', { optional: true }),
    () => {
      const rows = g.layerShares;
      if (rows === undefined) return undefined;
      if (!Array.isArray(rows) || rows.length > k) {
        return `layerShares must be a list of at most ${k} rows, got ${describe(rows)}`;
      }
      const table = rows as unknown as Record<string, unknown>;
      for (let r = 0; r < rows.length; r++) {
        if (listLength(rows[r]) === undefined) return `layerShares[${r}] must be a list of numbers`;
        const error = reviveNumberList(table, String(r), columns);
        if (error) return `layerShares[${r}]: ${error.replace(/^\d+ /, '')}`;
      }
      return undefined;
    },
  );
  return error ? `groups[${i}].${error}` : undefined;
}

/** An inspect record's optional images: the pixels arrive as base64 (log) or bytes (wire). */
function reviveSampleImages(r: Record<string, unknown>, samples: number): string | undefined {
  const images = r.images;
  if (images === undefined) return undefined;
  if (!isObject(images)) return `images must be an object, got ${describe(images)}`;
  const error = firstError(
    () => reviveNumber(images, 'width', { integer: true }),
    () => reviveNumber(images, 'height', { integer: true }),
    () =>
      images.channels === 1 || images.channels === 3
        ? undefined
        : `channels must be 1 or 3, got ${describe(images.channels)}`,
    () => checkIndexList(images, 'positions'),
    () => {
      const positions = images.positions as number[];
      const bad = positions.find((n) => n >= samples);
      return bad === undefined
        ? undefined
        : `positions: ${bad} is not a sample of this record (it has ${samples})`;
    },
    () => {
      let pixels = images.pixels;
      if (typeof pixels === 'string') pixels = base64ToBytes(pixels);
      if (!(pixels instanceof Uint8Array)) {
        return `pixels must be base64 bytes, got ${describe(images.pixels)}`;
      }
      const expected =
        (images.positions as number[]).length *
        (images.width as number) *
        (images.height as number) *
        (images.channels as number);
      if (pixels.length !== expected) {
        return `pixels has ${pixels.length} bytes, expected ${expected} (positions × height × width × channels)`;
      }
      images.pixels = pixels;
      return undefined;
    },
  );
  return error ? `images.${error}` : undefined;
}

/** A 1-D histogram: ascending edges, one count per bin. */
function reviveHistogram(h: unknown, name: string): string | undefined {
  if (!isObject(h)) return `${name} must be an object, got ${describe(h)}`;
  const bins = (listLength(h.edges) ?? 1) - 1;
  const error = firstError(
    () => reviveNumberList(h, 'edges'),
    () => (bins >= 1 ? undefined : 'edges must have at least 2 entries'),
    () => reviveNumberList(h, 'counts', bins),
    () => ascending(h.edges as Float64Array, 'edges'),
  );
  return error ? `${name}.${error}` : undefined;
}

function ascending(values: Float64Array, name: string): string | undefined {
  for (let i = 1; i < values.length; i++) {
    if (!(values[i] > values[i - 1])) return `${name} must ascend (entry ${i} does not)`;
  }
  return undefined;
}

function reviveLayerHistogram(h: unknown, i: number): string | undefined {
  if (!isObject(h)) return `layers[${i}] must be an object, got ${describe(h)}`;
  const rows = (listLength(h.paramEdges) ?? 1) - 1;
  const columns = (listLength(h.gradEdges) ?? 1) - 1;
  const error = firstError(
    () => requireString(h, 'layer'),
    () => reviveNumberList(h, 'paramEdges'),
    () => reviveNumberList(h, 'gradEdges'),
    () => (rows >= 1 && columns >= 1 ? undefined : 'paramEdges and gradEdges need 2 entries'),
    () => ascending(h.paramEdges as Float64Array, 'paramEdges'),
    () => ascending(h.gradEdges as Float64Array, 'gradEdges'),
    () => reviveNumberList(h, 'counts', rows * columns),
  );
  return error ? `layers[${i}].${error}` : undefined;
}

const BODY_CHECKS: Record<BodyRecord['type'], (r: Record<string, unknown>) => string | undefined> =
  {
    step: (r) =>
      firstError(
        () => reviveNumber(r, 'step', { integer: true }),
        () => reviveNumber(r, 'epoch', { integer: true }),
        () => reviveNumber(r, 'loss'),
        () => reviveNumber(r, 'accuracy', { optional: true }),
        () => reviveNumber(r, 'time'),
        () => reviveNumber(r, 'stepMs'),
        () => reviveNumber(r, 'samplesPerSec'),
      ),
    eval: (r) =>
      firstError(
        () => reviveNumber(r, 'step', { integer: true }),
        () => reviveNumber(r, 'loss'),
        () => reviveNumber(r, 'accuracy', { optional: true }),
        () => reviveNumber(r, 'samples', { integer: true }),
      ),
    epoch: (r) =>
      firstError(
        () => reviveNumber(r, 'epoch', { integer: true }),
        () => reviveNumber(r, 'step', { integer: true }),
      ),
    event: (r) =>
      firstError(
        () => reviveNumber(r, 'step', { integer: true }),
        () =>
          EVENT_KINDS.includes(r.kind as RunEventKind)
            ? undefined
            : `kind must be one of ${EVENT_KINDS.join(', ')}; got ${describe(r.kind)}`,
        () => checkOptionalString(r, 'message', Number.MAX_SAFE_INTEGER),
        () => requireString(r, 'time'),
      ),
    damping: (r) => {
      const sizes = r.groupSizes;
      const total = Array.isArray(sizes)
        ? sizes.reduce((s: number, v) => s + (typeof v === 'number' ? v : 0), 0)
        : 0;
      return firstError(
        () => reviveNumber(r, 'step', { integer: true }),
        () =>
          Array.isArray(sizes) && sizes.every((v) => Number.isInteger(v) && v >= 0)
            ? undefined
            : `groupSizes must be a list of non-negative integers, got ${describe(sizes)}`,
        () => reviveNumberList(r, 'lambdaMean', total),
        () => reviveNumberList(r, 'gammaMean', total),
        () => reviveNumberList(r, 'damping', total),
        () => reviveNumberList(r, 'stepLength', total),
        () => reviveNumber(r, 'predictedChange'),
        () => reviveNumber(r, 'actualChange'),
      );
    },
    curvature: (r) =>
      firstError(
        () => reviveNumber(r, 'step', { integer: true }),
        () =>
          r.batch === 'train' || r.batch === 'fixed'
            ? undefined
            : `batch must be "train" or "fixed", got ${describe(r.batch)}`,
        () =>
          r.eigensolver === undefined || EIGENSOLVERS.includes(r.eigensolver as string)
            ? undefined
            : `eigensolver must be "host", "device" or "device-leading", got ${describe(r.eigensolver)}`,
        () => reviveNumber(r, 'samples', { integer: true }),
        () => reviveNumber(r, 'gradSamples', { integer: true }),
        () => reviveNumber(r, 'mcSamples', { integer: true }),
        () => reviveNumber(r, 'loss'),
        () => reviveNumber(r, 'gradNorm'),
        () => checkStringList(r, 'layerNames'),
        () => {
          if (!Array.isArray(r.groups)) return `groups must be a list, got ${describe(r.groups)}`;
          const columns = (r.layerNames as string[]).length;
          for (let i = 0; i < r.groups.length; i++) {
            const error = checkCurvatureGroup(r.groups[i], i, columns);
            if (error) return error;
          }
          return undefined;
        },
        () => {
          const t = r.timings;
          if (!isObject(t)) return `timings must be an object, got ${describe(t)}`;
          for (const key of Object.keys(t)) {
            const error = reviveNumber(t, key);
            if (error) return `timings.${error}`;
          }
          return undefined;
        },
      ),
    noise: (r) =>
      firstError(
        () => reviveNumber(r, 'step', { integer: true }),
        () => reviveNumber(r, 'batch', { integer: true }),
        () => reviveNumber(r, 'loss'),
        () => reviveNumber(r, 'gradNorm'),
        () => reviveNumberList(r, 'sampleGradNorms', r.batch as number),
        () => reviveNumber(r, 'meanGsnr'),
        () => reviveNumber(r, 'normTest'),
        () => reviveNumber(r, 'innerProductTest'),
        () => reviveNumber(r, 'orthogonalityTest'),
        () => reviveNumber(r, 'cabsBatchSize', { optional: true }),
        () => reviveNumber(r, 'ggnTrace'),
        () => reviveNumber(r, 'tic'),
      ),
    step_quality: (r) =>
      firstError(
        () => reviveNumber(r, 'step', { integer: true }),
        () => (r.alpha === null ? undefined : reviveNumber(r, 'alpha')),
        () => reviveNumber(r, 'lossBefore'),
        () => reviveNumber(r, 'lossAfter'),
        () => reviveNumber(r, 'slopeBefore'),
        () => reviveNumber(r, 'slopeAfter'),
        () => reviveNumber(r, 'updateSize'),
        () => reviveNumber(r, 'distance'),
        () => reviveNumberList(r, 'updateSizes'),
        () => reviveNumberList(r, 'distances', listLength(r.updateSizes)),
      ),
    histogram: (r) =>
      firstError(
        () => reviveNumber(r, 'step', { integer: true }),
        () => reviveNumber(r, 'batch', { integer: true }),
        () => reviveHistogram(r.gradient, 'gradient'),
        () => {
          if (!Array.isArray(r.layers)) return `layers must be a list, got ${describe(r.layers)}`;
          for (let i = 0; i < r.layers.length; i++) {
            const error = reviveLayerHistogram(r.layers[i], i);
            if (error) return error;
          }
          return undefined;
        },
      ),
    inspect: (r) =>
      firstError(
        () => reviveNumber(r, 'step', { integer: true }),
        () => reviveNumber(r, 'group', { integer: true }),
        () => reviveNumber(r, 'direction', { integer: true }),
        () => reviveNumber(r, 'eigenvalue'),
        () => reviveNumberList(r, 'gammas'),
        () => reviveNumberList(r, 'lambdas'),
        () => checkIndexList(r, 'sampleIndices'),
        () => checkStringList(r, 'layerNames'),
        () => reviveNumberList(r, 'layerShares', (r.layerNames as string[]).length),
        () => {
          const slice = r.slice;
          if (!isObject(slice)) return `slice must be an object, got ${describe(slice)}`;
          const n = listLength(slice.t) ?? 0;
          const error =
            reviveNumberList(slice, 't') ??
            reviveNumberList(slice, 'loss', n) ??
            reviveNumberList(slice, 'quadratic', n);
          return error ? `slice.${error}` : undefined;
        },
        () => reviveNumber(r, 'loss', { optional: true }),
        () => reviveNumber(r, 'gammaMean', { optional: true }),
        () => reviveNumber(r, 'lambdaMean', { optional: true }),
        () => reviveSampleImages(r, (r.gammas as Float64Array).length),
      ),
  };

/**
 * Validates one parsed log record (a value straight from JSON.parse, which it may normalize in
 * place: encoded non-finite numbers become numbers). Unknown fields are kept.
 */
export function validateLogRecord(value: unknown): Checked<LogRecord> {
  if (!isObject(value))
    return { ok: false, error: `a record must be an object, got ${describe(value)}` };
  const type = value.type;
  if (type === 'header') {
    const error = checkHeader(value);
    return error
      ? { ok: false, error: `header: ${error}` }
      : { ok: true, value: value as unknown as HeaderRecord };
  }
  if (typeof type === 'string' && Object.hasOwn(BODY_CHECKS, type)) {
    const error = BODY_CHECKS[type as BodyRecord['type']](value);
    return error
      ? { ok: false, error: `${type} record: ${error}` }
      : { ok: true, value: value as unknown as BodyRecord };
  }
  return { ok: false, error: `unknown record type ${describe(type)}` };
}
