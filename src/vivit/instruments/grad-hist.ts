// Cockpit's gradient histograms (GradHist1d, GradHist2d) over the individual gradient elements
// g_nj — every sample n, every parameter element j — binned on the host from the per-sample
// gradients that `perSampleGradientStatistics` reads back in its single round trip.
//
// Ranges (data-driven, unlike Cockpit's fixed ±2, so that the plot stays readable):
//   - gradient axis: symmetric [−r, r] with r = min(max|g|, 4·rms(g)), rms(g) = √(mean g²),
//     over the elements histogrammed (the whole network for the 1-D histogram, the layer for
//     its 2-D one); r = 1 when they are all 0 (or r is not finite);
//   - parameter axis (2-D): [min θ, max θ] over the layer's parameters (weights and bias
//     together); [θ − 0.5, θ + 0.5] when they are all equal to θ.
// Edge rule: `bins` equal bins, edges[k] = lo + (hi − lo)·k/bins (k = 0..bins, edges[bins] = hi);
// a value v falls in bin k = ⌊((v − lo)/(hi − lo)) · bins⌋, clamped to [0, bins − 1]: each bin is
// closed on the left and open on the right, except the last, which also holds hi, and values
// outside [lo, hi] count in the edge bins (clamped, as Cockpit does). NaN values are not
// counted. Counts are float64 numbers; 2-D counts are paramBins × gradientBins, row-major, rows
// the parameter-value bins; the parameter value θ_j is paired with every sample's g_nj.

export interface Histogram1d {
  /** bins + 1 edges, ascending. */
  edges: Float64Array;
  counts: Float64Array;
}

export interface LayerHistogram2d {
  /** Index into network.layers. */
  layer: number;
  /** paramBins + 1 edges of the parameter-value axis. */
  paramEdges: Float64Array;
  /** gradientBins + 1 edges of the gradient axis. */
  gradEdges: Float64Array;
  /** paramBins × gradientBins, row-major (rows = parameter-value bins). */
  counts: Float64Array;
}

export interface GradientHistograms {
  gradient: Histogram1d;
  layers: LayerHistogram2d[];
}

export interface HistogramBins {
  gradientBins: number;
  paramBins: number;
}

/** Per-sample gradients of a [rows, cols] weight given as outer products (a linear layer):
 *  g_n[i·cols + o] = input[n·rows + i] · output[n·cols + o]. B·rows + B·cols numbers stand for
 *  B·rows·cols (for the MNIST MLP's first layer 117 k instead of 12.8 M read from the device). */
export interface OuterProductGradients {
  input: ArrayLike<number>;
  output: ArrayLike<number>;
  rows: number;
  cols: number;
}

/** One layer's inputs: per parameter tensor, its values θ (P entries) and the per-sample
 *  gradients, [B, P] row-major (sample n's g_n of that tensor at n·P .. n·P + P − 1) or as
 *  outer products. */
export interface LayerGradients {
  layer: number;
  params: readonly ArrayLike<number>[];
  perSample: readonly (ArrayLike<number> | OuterProductGradients)[];
}

function isOuter(g: ArrayLike<number> | OuterProductGradients): g is OuterProductGradients {
  return (g as OuterProductGradients).rows !== undefined;
}

/** bins + 1 equally spaced edges from lo to hi (the last exactly hi). */
export function histogramEdges(lo: number, hi: number, bins: number): Float64Array {
  const edges = new Float64Array(bins + 1);
  for (let k = 0; k < bins; k++) edges[k] = lo + ((hi - lo) * k) / bins;
  edges[bins] = hi;
  return edges;
}

/** The bin of v under the edge rule above (−1 for NaN). */
export function binIndex(v: number, lo: number, hi: number, bins: number): number {
  const k = Math.floor(((v - lo) / (hi - lo)) * bins);
  if (k >= bins) return bins - 1;
  if (k >= 0) return k;
  return Number.isNaN(k) ? -1 : 0;
}

interface Moments {
  count: number;
  sumSquares: number;
  maxAbs: number;
}

/** Moments of outer-product gradients in closed form: Σ g² = Σ_n ‖in_n‖²‖out_n‖², max |g| =
 *  max_n max|in_n| · max|out_n| (a sample with a NaN counts as absent, as its NaNs would). */
function outerMoments(g: OuterProductGradients, batch: number): Moments {
  const norms = (a: ArrayLike<number>, n: number, size: number) => {
    let sq = 0;
    let max = 0;
    for (let k = n * size; k < (n + 1) * size; k++) {
      sq += a[k] * a[k];
      const m = Math.abs(a[k]);
      if (m > max) max = m;
    }
    return { sq, max };
  };
  let count = 0;
  let sumSquares = 0;
  let maxAbs = 0;
  for (let n = 0; n < batch; n++) {
    const x = norms(g.input, n, g.rows);
    const d = norms(g.output, n, g.cols);
    if (Number.isNaN(x.sq) || Number.isNaN(d.sq)) continue;
    count += g.rows * g.cols;
    sumSquares += x.sq * d.sq;
    maxAbs = Math.max(maxAbs, x.max * d.max);
  }
  return { count, sumSquares, maxAbs };
}

function moments(
  arrays: readonly (ArrayLike<number> | OuterProductGradients)[],
  batch = 0,
): Moments {
  let count = 0;
  let sumSquares = 0;
  let maxAbs = 0;
  for (const a of arrays) {
    if (isOuter(a)) {
      const m = outerMoments(a, batch);
      count += m.count;
      sumSquares += m.sumSquares;
      maxAbs = Math.max(maxAbs, m.maxAbs);
      continue;
    }
    for (let i = 0; i < a.length; i++) {
      const v = a[i];
      if (Number.isNaN(v)) continue;
      count++;
      sumSquares += v * v;
      const m = Math.abs(v);
      if (m > maxAbs) maxAbs = m;
    }
  }
  return { count, sumSquares, maxAbs };
}

/** r = min(max|g|, 4·rms(g)) of the moments; 1 when every element is 0 (or none exists). */
function rangeOf(m: Moments): number {
  const rms = m.count > 0 ? Math.sqrt(m.sumSquares / m.count) : 0;
  const r = Math.min(m.maxAbs, 4 * rms);
  return r > 0 && Number.isFinite(r) ? r : 1;
}

/** The half-width r of the symmetric gradient axis [−r, r] for these elements. */
export function gradientRange(
  arrays: readonly (ArrayLike<number> | OuterProductGradients)[],
  batch = 0,
): number {
  return rangeOf(moments(arrays, batch));
}

/** [min θ, max θ] of the values, or [θ − 0.5, θ + 0.5] when they coincide. */
export function parameterRange(arrays: readonly ArrayLike<number>[]): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const a of arrays) {
    for (let i = 0; i < a.length; i++) {
      const v = a[i];
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  if (!(lo <= hi)) return [-0.5, 0.5];
  if (lo === hi) return [lo - 0.5, hi + 0.5];
  return [lo, hi];
}

/** The 1-D histogram of every gradient element and one 2-D histogram per layer. */
export function gradientHistograms(
  layers: readonly LayerGradients[],
  batch: number,
  bins: HistogramBins,
): GradientHistograms {
  const { gradientBins, paramBins } = bins;
  for (const [name, b] of Object.entries(bins)) {
    if (!Number.isInteger(b) || b < 1) {
      throw new RangeError(`histogram ${name} must be a positive integer, got ${b}`);
    }
  }
  const layerMoments = layers.map((l) => moments(l.perSample, batch));
  const total: Moments = layerMoments.reduce(
    (a, m) => ({
      count: a.count + m.count,
      sumSquares: a.sumSquares + m.sumSquares,
      maxAbs: Math.max(a.maxAbs, m.maxAbs),
    }),
    { count: 0, sumSquares: 0, maxAbs: 0 },
  );
  const r = rangeOf(total);
  const counts1d = new Float64Array(gradientBins);
  const out2d = layers.map((l, li) => {
    const rl = rangeOf(layerMoments[li]);
    const [plo, phi] = parameterRange(l.params);
    const counts = new Float64Array(paramBins * gradientBins);
    // The inner loop runs over every g_nj (14 M for an MNIST MLP at B = 128): contiguous in j,
    // with each θ_j's row and both scales computed once; `binIndex`'s rule inlined.
    // (v − lo)/(hi − lo) by division, not by a product with its reciprocal: then v = 0 gives
    // exactly 1/2 and an exact 0 gradient (dead units, pooling) lands in the same bin whatever r.
    const width1 = 2 * r;
    const width2 = 2 * rl;
    const last = gradientBins - 1;
    /** Counts one element v in the 1-D histogram and in its parameter row (−1: θ is NaN). */
    const countElement = (v: number, row: number): void => {
      // x ≥ 0 truncates as floor; x ≥ bins and x < 0 clamp; NaN fails both tests.
      const x1 = ((v + r) / width1) * gradientBins;
      let k1: number;
      if (x1 >= 0) k1 = x1 >= gradientBins ? last : x1 | 0;
      else if (x1 < 0) k1 = 0;
      else return; // NaN
      counts1d[k1]++;
      if (row < 0) return;
      const x2 = ((v + rl) / width2) * gradientBins;
      counts[row + (x2 >= 0 ? (x2 >= gradientBins ? last : x2 | 0) : 0)]++;
    };
    l.params.forEach((theta, p) => {
      const g = l.perSample[p];
      const size = theta.length;
      const rows = new Int32Array(size);
      for (let j = 0; j < size; j++)
        rows[j] = binIndex(theta[j], plo, phi, paramBins) * gradientBins;
      if (isOuter(g)) {
        if (g.rows * g.cols !== size) {
          throw new RangeError(
            `layer ${l.layer}, parameter ${p}: ${g.rows}×${g.cols} outer products for ${size} values`,
          );
        }
        // v = in_ni · out_no, formed here in float64.
        for (let n = 0; n < batch; n++) {
          for (let i = 0; i < g.rows; i++) {
            const xi = g.input[n * g.rows + i];
            const base = n * g.cols;
            const rowBase = i * g.cols;
            for (let o = 0; o < g.cols; o++) {
              countElement(xi * g.output[base + o], rows[rowBase + o]);
            }
          }
        }
        return;
      }
      if (g.length !== batch * size) {
        throw new RangeError(
          `layer ${l.layer}, parameter ${p}: ${g.length} per-sample entries, expected ${batch}·${size}`,
        );
      }
      for (let n = 0; n < batch; n++) {
        const base = n * size;
        for (let j = 0; j < size; j++) {
          countElement(g[base + j], rows[j]);
        }
      }
    });
    return {
      layer: l.layer,
      paramEdges: histogramEdges(plo, phi, paramBins),
      gradEdges: histogramEdges(-rl, rl, gradientBins),
      counts,
    };
  });
  return {
    gradient: { edges: histogramEdges(-r, r, gradientBins), counts: counts1d },
    layers: out2d,
  };
}
