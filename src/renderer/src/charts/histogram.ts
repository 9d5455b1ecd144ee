// Histogram binning for the curvature panels: log-spaced bins for eigenvalues (which span many
// decades), linear bins for per-sample values, and the overlap histogram of the paper's Fig. 2
// (overlap summed per curvature bin, the flat remainder as its own bar at the left).
import { formatValue } from './format';

export interface Histogram {
  /** bins + 1 ascending edges; bin i is [edges[i], edges[i+1]) and the last bin is closed. */
  edges: number[];
  /** Per bin: the count, or the sum of weights when weights are given. */
  values: number[];
  /** Values left out: non-finite, or (log bins) not positive. */
  dropped: number;
}

/** `bins` geometric bins over [lo, hi] (hi > lo > 0). */
export function logSpacedEdges(lo: number, hi: number, bins: number): number[] {
  const a = Math.log10(lo);
  const b = Math.log10(hi);
  return Array.from({ length: bins + 1 }, (_, i) =>
    i === 0 ? lo : i === bins ? hi : 10 ** (a + ((b - a) * i) / bins),
  );
}

/** Range of the usable values; a single value gets a range around it so it lands mid-bin. */
function range(values: ArrayLike<number>, usable: (v: number) => boolean, log: boolean) {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!usable(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (lo > hi) return undefined;
  if (lo === hi) return log ? [lo / 2, hi * 2] : [lo - 0.5, hi + 0.5];
  return [lo, hi];
}

function binned(
  values: ArrayLike<number>,
  weights: ArrayLike<number> | undefined,
  edges: number[],
  position: (v: number) => number,
  usable: (v: number) => boolean,
): Histogram {
  const bins = edges.length - 1;
  const out = new Array<number>(bins).fill(0);
  let dropped = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    const w = weights ? weights[i] : 1;
    const p = usable(v) && Number.isFinite(w) ? position(v) : Number.NaN; // in [0, 1] inside
    if (!(p >= 0 && p <= 1)) {
      dropped += 1;
      continue;
    }
    out[Math.min(bins - 1, Math.floor(p * bins))] += w;
  }
  return { edges, values: out, dropped };
}

const positive = (v: number): boolean => Number.isFinite(v) && v > 0;

/** Log-spaced histogram of the positive values over [min, max] (or the given range). */
export function logHistogram(
  values: ArrayLike<number>,
  bins: number,
  options: { weights?: ArrayLike<number>; range?: [number, number] } = {},
): Histogram {
  const r = options.range ?? range(values, positive, true);
  if (!r) return { edges: [], values: [], dropped: values.length };
  const [lo, hi] = r;
  const a = Math.log10(lo);
  const span = Math.log10(hi) - a;
  return binned(
    values,
    options.weights,
    logSpacedEdges(lo, hi, bins),
    (v) => (Math.log10(v) - a) / span,
    positive,
  );
}

/** Equal-width histogram of the finite values over [min, max]. */
export function linearHistogram(values: ArrayLike<number>, bins: number): Histogram {
  const r = range(values, Number.isFinite, false);
  if (!r) return { edges: [], values: [], dropped: values.length };
  const [lo, hi] = r;
  const edges = Array.from({ length: bins + 1 }, (_, i) => lo + ((hi - lo) * i) / bins);
  return binned(values, undefined, edges, (v) => (v - lo) / (hi - lo), Number.isFinite);
}

export interface OverlapBar {
  label: string;
  /** Curvature range of the bin; the flat bar has none. */
  lo?: number;
  hi?: number;
  value: number;
}

/**
 * Paper Fig. 2: the gradient's overlap with the eigenspace, summed over log-spaced bins of
 * the eigenvalue, preceded by the flat remainder (the share of ‖g‖² outside the eigenspace).
 */
export function overlapBars(
  eigenvalues: ArrayLike<number>,
  overlap: ArrayLike<number>,
  flatRemainder: number,
  bins = 49,
): OverlapBar[] {
  const h = logHistogram(eigenvalues, bins, { weights: overlap });
  const bars: OverlapBar[] = [{ label: 'flat', value: flatRemainder }];
  h.values.forEach((value, i) => {
    const lo = h.edges[i];
    const hi = h.edges[i + 1];
    bars.push({ label: binLabel(lo, hi), lo, hi, value });
  });
  return bars;
}

export function binLabel(lo: number, hi: number): string {
  return `${formatValue(Number(lo.toPrecision(3)))}–${formatValue(Number(hi.toPrecision(3)))}`;
}
