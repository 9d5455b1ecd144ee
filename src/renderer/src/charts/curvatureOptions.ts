// ECharts options for the curvature-era panels (spectrum, overlap, noise, damping, gradient
// norm, inspector), built from the session's record lists. Pure functions of records and
// settings, so tests can check them without a chart. Scatter points carry [x, y, k, group] so
// a click names the direction to inspect.
import type { CurvatureRecord, DampingRecord, InspectRecord } from '../../../protocol/records';
import type { ChartOption } from './echarts';
import type { ChartPalette } from './palette';
import { formatValue } from './format';
import { PointBuffer } from './pointBuffer';
import { binLabel, linearHistogram, logHistogram, overlapBars } from './histogram';

type Pt = [number, number, number?, number?];

export interface AxisSpec {
  name: string;
  log?: boolean;
  category?: string[];
}

/** Distinct hues for series that are not train/eval (top-k ranks, SNR kinds, …). */
export const SERIES_COLORS = ['#3b6fe0', '#e07a1f', '#2aa876', '#c2418f', '#8a6de0', '#b59b1b'];

const usable = (v: number, log: boolean | undefined): boolean =>
  Number.isFinite(v) && (!log || v > 0);

function axis(spec: AxisSpec, palette: ChartPalette, which: 'x' | 'y') {
  return {
    type: spec.category ? ('category' as const) : spec.log ? ('log' as const) : ('value' as const),
    data: spec.category,
    name: spec.name,
    nameLocation: which === 'x' ? ('middle' as const) : ('end' as const),
    nameGap: which === 'x' ? 26 : 8,
    scale: !spec.category,
    axisLine: { lineStyle: { color: palette.axis } },
    axisTick: { lineStyle: { color: palette.axis } },
    axisLabel: {
      color: palette.muted,
      fontSize: 10.5,
      hideOverlap: true,
      ...(spec.category ? {} : { formatter: (v: number) => formatValue(v) }),
    },
    splitLine: { show: which === 'y', lineStyle: { color: palette.grid } },
    nameTextStyle: { color: palette.muted, fontSize: 11, align: which === 'y' ? 'left' : 'center' },
  };
}

/** Axes, tooltip and zoom shared by every chart; `series` is filled in by the builders. */
export function baseOption(
  x: AxisSpec,
  y: AxisSpec,
  palette: ChartPalette,
  options: { trigger?: 'item' | 'axis'; legend?: boolean; zoomY?: boolean } = {},
): ChartOption {
  const trigger = options.trigger ?? 'item';
  return {
    animation: false,
    backgroundColor: 'transparent',
    textStyle: { color: palette.text, fontFamily: 'inherit' },
    // Fixed margins: no measuring of axis labels against the container on every redraw.
    grid: {
      left: 56,
      right: 16,
      top: options.legend ? 46 : 28,
      bottom: 40,
      outerBoundsMode: 'none',
    },
    // One builder for value, log and category axes: ECharts types them as a discriminated union.
    xAxis: axis(x, palette, 'x') as never,
    yAxis: axis(y, palette, 'y') as never,
    legend: options.legend
      ? {
          // Above the y-axis name, left of the export buttons.
          top: 2,
          left: 50,
          right: 96,
          itemWidth: 14,
          itemHeight: 8,
          textStyle: { color: palette.muted, fontSize: 11 },
          // Markers at full strength even when the first series is an old, faded step.
          itemStyle: { opacity: 1 },
        }
      : undefined,
    tooltip: {
      trigger,
      confine: true,
      backgroundColor: palette.surface,
      borderColor: palette.border,
      textStyle: { color: palette.text, fontSize: 12 },
      transitionDuration: 0,
      // The pointer on a canvas of its own: moving it does not repaint the series.
      axisPointer: { zlevel: 1 },
      ...(trigger === 'item'
        ? { formatter: itemTooltip(x.name, y.name) as never }
        : { valueFormatter: ((v: number) => formatValue(Number(v))) as never }),
    },
    dataZoom: [
      // At most ten zoom redraws a second (ECharts' default without animation is fifty).
      {
        type: 'inside',
        xAxisIndex: 0,
        zoomOnMouseWheel: 'shift',
        filterMode: 'none',
        throttle: 100,
      },
      ...(options.zoomY
        ? [
            {
              type: 'inside' as const,
              yAxisIndex: 0,
              zoomOnMouseWheel: 'alt' as const,
              filterMode: 'none' as const,
              throttle: 100,
            },
          ]
        : []),
    ],
    series: [],
  };
}

/** Exact values of the hovered point, with its direction when it has one. */
function itemTooltip(xName: string, yName: string) {
  return (p: { value?: unknown; seriesName?: string; name?: string }): string => {
    const v = p.value;
    if (!Array.isArray(v)) return `${p.name ?? ''}: <b>${formatValue(Number(v))}</b>`;
    const [xv, yv, k, g] = v as Pt;
    const xs = typeof xv === 'number' ? formatValue(xv) : String(xv);
    const dir = k === undefined ? '' : `<div>direction k = ${k}${g ? `, group ${g}` : ''}</div>`;
    return (
      `<div class="tt-head">${p.seriesName ?? ''}</div>${dir}` +
      `<div>${xName}: <b>${xs}</b></div><div>${yName}: <b>${formatValue(Number(yv))}</b></div>`
    );
  };
}

/** Over-time lines hold one point per step: a flat typed array (x0, y0, x1, y1, …) that ECharts
 *  copies in one go (see pointBuffer.ts), not one small array per point. */
function line(
  id: string,
  name: string,
  points: PointBuffer | Pt[],
  color: string,
  extra: object = {},
) {
  const data = Array.isArray(points) ? toBuffer(points) : points;
  return {
    id,
    name,
    type: 'line' as const,
    // ECharts reads a flat typed array as consecutive (x, y) pairs; its types omit this form.
    data: data.view() as never,
    dimensions: ['x', 'y'],
    color,
    showSymbol: data.length < 60,
    symbolSize: 5,
    sampling: 'lttb' as const,
    lineStyle: { width: 1.6 },
    emphasis: { disabled: true },
    ...extra,
  };
}

function toBuffer(points: readonly Pt[]): PointBuffer {
  const out = new PointBuffer(Math.max(1, points.length));
  for (const p of points) out.push(p[0], p[1]);
  return out;
}

function scatter(id: string, name: string, data: Pt[], color: string, opacity = 0.8) {
  return {
    id,
    name,
    type: 'scatter' as const,
    data: data as never,
    color,
    symbolSize: 5,
    itemStyle: { opacity },
    large: data.length > 2000,
    largeThreshold: 2000,
  };
}

function bars(id: string, name: string, data: [string, number][], color: string) {
  return {
    id,
    name,
    type: 'bar' as const,
    data: data as never,
    color,
    barCategoryGap: '8%',
  };
}

// ---- Spectrum ----------------------------------------------------------------------------

/** All nontrivial eigenvalues of a curvature step (every group). */
export function allEigenvalues(record: CurvatureRecord): number[] {
  return record.groups.flatMap((g) => Array.from(g.eigenvalues));
}

export function spectrumHistogramOption(
  record: CurvatureRecord | undefined,
  palette: ChartPalette,
  logCounts: boolean,
  bins = 40,
): ChartOption | undefined {
  if (!record) return undefined;
  const h = logHistogram(allEigenvalues(record), bins);
  if (h.values.length === 0) return undefined;
  const labels = h.values.map((_, i) => binLabel(h.edges[i], h.edges[i + 1]));
  const data: [string, number][] = h.values.map((v, i) => [
    labels[i],
    logCounts && v === 0 ? Number.NaN : v,
  ]);
  const option = baseOption(
    { name: 'eigenvalue λ (log bins)', category: labels },
    { name: 'count', log: logCounts },
    palette,
  );
  option.series = [bars('eigenvalues', `step ${record.step}`, data, palette.train)];
  return option;
}

/**
 * Per-record derived numbers, computed once: records never change after they arrive, and
 * redrawing 10,000 steps of history must not redo a sort per step on every frame.
 */
function memo<R extends object, T>(compute: (record: R) => T): (record: R) => T {
  const cache = new WeakMap<R, T>();
  return (record) => {
    let value = cache.get(record);
    if (value === undefined && !cache.has(record)) {
      value = compute(record);
      cache.set(record, value);
    }
    return value as T;
  };
}

const TOP_K_CACHED = 8;
const cachedTop = memo((record: CurvatureRecord) => {
  // Each group's eigenvalues are descending: only their heads can be among the largest.
  if (record.groups.length === 1)
    return Array.from(record.groups[0].eigenvalues.subarray(0, TOP_K_CACHED));
  const firsts = record.groups.flatMap((g) => Array.from(g.eigenvalues.subarray(0, TOP_K_CACHED)));
  return firsts.sort((a, b) => b - a).slice(0, TOP_K_CACHED);
});

/** The k largest eigenvalues of a step over all groups, descending. */
export function topEigenvalues(record: CurvatureRecord, k: number): number[] {
  if (k <= TOP_K_CACHED) return cachedTop(record).slice(0, k);
  const firsts = record.groups.flatMap((g) => Array.from(g.eigenvalues.subarray(0, k)));
  return firsts.sort((a, b) => b - a).slice(0, k);
}

export function topKOption(
  records: readonly CurvatureRecord[],
  palette: ChartPalette,
  logY: boolean,
  k = 5,
): ChartOption | undefined {
  if (records.length === 0) return undefined;
  const ranks = Array.from({ length: k }, () => new PointBuffer(Math.max(1, records.length)));
  for (const r of records) {
    const top = topEigenvalues(r, k);
    for (let i = 0; i < top.length; i++) if (usable(top[i], logY)) ranks[i].push(r.step, top[i]);
  }
  const option = baseOption({ name: 'step' }, { name: 'λ', log: logY }, palette, {
    trigger: 'axis',
    legend: true,
  });
  option.series = ranks
    .filter((data) => data.length > 0)
    // Series id `top<r>`: with a single group the rank r - 1 is the direction index (a click
    // on the line can inspect it).
    .map((data, i) => line(`top${i + 1}`, `λ${i + 1}`, data, SERIES_COLORS[i % 6]));
  return option;
}

export function directionCountOption(
  records: readonly CurvatureRecord[],
  palette: ChartPalette,
): ChartOption | undefined {
  if (records.length === 0) return undefined;
  const data = new PointBuffer(Math.max(1, records.length));
  for (const r of records) {
    data.push(
      r.step,
      r.groups.reduce((n, g) => n + g.eigenvalues.length, 0),
    );
  }
  const option = baseOption({ name: 'step' }, { name: 'K' }, palette, { trigger: 'axis' });
  option.series = [line('K', 'nontrivial directions K', data, palette.train, { step: 'end' })];
  return option;
}

// ---- Overlap -----------------------------------------------------------------------------

export function overlapHistogramOption(
  record: CurvatureRecord | undefined,
  group: number,
  palette: ChartPalette,
  bins = 49,
): ChartOption | undefined {
  const g = record?.groups[group];
  if (!record || !g) return undefined;
  const b = overlapBars(g.eigenvalues, g.overlap, g.flatRemainder, bins);
  const labels = b.map((x) => x.label);
  const option = baseOption(
    { name: 'eigenvalue λ (log bins)', category: labels },
    { name: 'overlap γ̄²/‖g‖²' },
    palette,
  );
  option.series = [
    {
      ...bars(
        'overlap',
        `step ${record.step}`,
        b.map((x) => [x.label, x.value]),
        palette.train,
      ),
      // The flat remainder is a different kind of bar: colour it apart.
      data: b.map((x, i) =>
        i === 0
          ? { value: [x.label, x.value], itemStyle: { color: palette.eval } }
          : [x.label, x.value],
      ) as never,
    },
  ];
  return option;
}

export function remainderOption(
  records: readonly CurvatureRecord[],
  group: number,
  palette: ChartPalette,
): ChartOption | undefined {
  const data = new PointBuffer(Math.max(1, records.length));
  for (const r of records) {
    const g = r.groups[group];
    if (g && Number.isFinite(g.flatRemainder)) data.push(r.step, g.flatRemainder);
  }
  if (data.length === 0) return undefined;
  const option = baseOption({ name: 'step' }, { name: 'flat remainder' }, palette, {
    trigger: 'axis',
  });
  option.series = [line('remainder', 'flat remainder', data, palette.eval)];
  return option;
}

// ---- Noise -------------------------------------------------------------------------------

/** The last `count` records, oldest first, with an opacity that fades with age. */
function recent(records: readonly CurvatureRecord[], count: number) {
  const from = Math.max(0, records.length - count);
  const list = records.slice(from);
  return list.map((record, i) => ({
    record,
    opacity: list.length === 1 ? 0.85 : 0.15 + (0.7 * i) / (list.length - 1),
  }));
}

function points(
  record: CurvatureRecord,
  x: GroupArray,
  y: GroupArray,
  logX: boolean,
  logY: boolean,
): Pt[] {
  const out: Pt[] = [];
  record.groups.forEach((g, gi) => {
    const xs = x(g);
    const ys = y(g);
    for (let k = 0; k < xs.length; k++) {
      if (usable(xs[k], logX) && usable(ys[k], logY)) out.push([xs[k], ys[k], k, gi]);
    }
  });
  return out;
}

export function snrAgainstLambdaOption(
  records: readonly CurvatureRecord[],
  palette: ChartPalette,
  log: boolean,
  ages = 6,
): ChartOption | undefined {
  if (records.length === 0) return undefined;
  const option = baseOption({ name: 'λ_k', log }, { name: 'SNR', log }, palette, {
    legend: true,
    zoomY: true,
  });
  option.series = recent(records, ages).flatMap(({ record, opacity }) => [
    scatter(
      `snrLambda-${record.step}`,
      'SNR(λ_k)',
      points(
        record,
        (g) => g.eigenvalues,
        (g) => g.snrLambda,
        log,
        log,
      ),
      SERIES_COLORS[0],
      opacity,
    ),
    scatter(
      `snrGamma-${record.step}`,
      'SNR(γ_k)',
      points(
        record,
        (g) => g.eigenvalues,
        (g) => g.snrGamma,
        log,
        log,
      ),
      SERIES_COLORS[1],
      opacity,
    ),
  ]);
  return option;
}

type GroupArray = (g: CurvatureRecord['groups'][number]) => ArrayLike<number>;

/** One scatter of y against x per recent curvature step, coloured by its age. */
function perStepScatterOption(
  records: readonly CurvatureRecord[],
  palette: ChartPalette,
  log: boolean,
  ages: number,
  plot: { id: string; xName: string; yName: string; x: GroupArray; y: GroupArray; color: string },
): ChartOption | undefined {
  if (records.length === 0) return undefined;
  const option = baseOption({ name: plot.xName, log }, { name: plot.yName, log }, palette, {
    zoomY: true,
  });
  option.series = recent(records, ages).map(({ record, opacity }) =>
    scatter(
      `${plot.id}-${record.step}`,
      `step ${record.step}`,
      points(record, plot.x, plot.y, log, log),
      plot.color,
      opacity,
    ),
  );
  return option;
}

export function snrPairOption(
  records: readonly CurvatureRecord[],
  palette: ChartPalette,
  log: boolean,
  ages = 6,
): ChartOption | undefined {
  return perStepScatterOption(records, palette, log, ages, {
    id: 'snrPair',
    xName: 'SNR(γ_k)',
    yName: 'SNR(λ_k)',
    x: (g) => g.snrGamma,
    y: (g) => g.snrLambda,
    color: SERIES_COLORS[2],
  });
}

export function gammaLambdaOption(
  records: readonly CurvatureRecord[],
  palette: ChartPalette,
  log: boolean,
  ages = 6,
): ChartOption | undefined {
  return perStepScatterOption(records, palette, log, ages, {
    id: 'gammaLambda',
    xName: 'λ̄_k',
    yName: '|γ̄_k|',
    x: (g) => g.lambdaMean,
    y: (g) => g.gammaMean.map(Math.abs),
    color: SERIES_COLORS[3],
  });
}

// ---- Damping and gradient norm -----------------------------------------------------------

export function dampingScatterOption(
  record: DampingRecord | undefined,
  palette: ChartPalette,
  log: boolean,
): ChartOption | undefined {
  if (!record) return undefined;
  const data: Pt[] = [];
  let offset = 0;
  record.groupSizes.forEach((size, gi) => {
    for (let k = 0; k < size; k++) {
      const x = record.lambdaMean[offset + k];
      const y = record.damping[offset + k];
      if (usable(x, log) && usable(y, log)) data.push([x, y, k, gi]);
    }
    offset += size;
  });
  const option = baseOption({ name: 'λ̄_k', log }, { name: 'δ_k', log }, palette, { zoomY: true });
  option.series = [scatter('damping', `step ${record.step}`, data, palette.train)];
  return option;
}

/** Median, minimum and maximum of the finite relative dampings δ_k / λ̄_k of a step. */
export const relativeDampingStats = memo(computeRelativeDampingStats);

function computeRelativeDampingStats(record: DampingRecord): [number, number, number] | undefined {
  const values: number[] = [];
  record.damping.forEach((d, i) => {
    const r = d / record.lambdaMean[i];
    if (Number.isFinite(r) && r > 0) values.push(r);
  });
  if (values.length === 0) return undefined;
  values.sort((a, b) => a - b);
  const m = values.length >> 1;
  const median = values.length % 2 ? values[m] : (values[m - 1] + values[m]) / 2;
  return [median, values[0], values[values.length - 1]];
}

export function relativeDampingOption(
  records: readonly DampingRecord[],
  palette: ChartPalette,
  log: boolean,
): ChartOption | undefined {
  const med = new PointBuffer(Math.max(1, records.length));
  const min = new PointBuffer(Math.max(1, records.length));
  const max = new PointBuffer(Math.max(1, records.length));
  for (const r of records) {
    const s = relativeDampingStats(r);
    if (!s || (log && !(s[1] > 0))) continue;
    med.push(r.step, s[0]);
    min.push(r.step, s[1]);
    max.push(r.step, s[2]);
  }
  if (med.length === 0) return undefined;
  const option = baseOption({ name: 'step' }, { name: 'δ_k / λ̄_k', log }, palette, {
    trigger: 'axis',
    legend: true,
  });
  option.series = [
    line('relMedian', 'median', med, palette.train),
    line('relMin', 'min', min, palette.muted, { lineStyle: { width: 1, type: 'dashed' } }),
    line('relMax', 'max', max, palette.muted, { lineStyle: { width: 1, type: 'dotted' } }),
  ];
  return option;
}

export function lossChangeOption(
  records: readonly DampingRecord[],
  palette: ChartPalette,
): ChartOption | undefined {
  if (records.length === 0) return undefined;
  const option = baseOption({ name: 'step' }, { name: 'Δ loss' }, palette, {
    trigger: 'axis',
    legend: true,
  });
  const predicted = new PointBuffer(Math.max(1, records.length));
  const actual = new PointBuffer(Math.max(1, records.length));
  for (const r of records) {
    predicted.push(r.step, r.predictedChange);
    actual.push(r.step, r.actualChange);
  }
  option.series = [
    line('predicted', 'predicted', predicted, palette.train),
    line('actual', 'actual', actual, palette.eval),
  ];
  return option;
}

/** ‖Σ_k s_k e_k‖ = ‖s‖ (the e_k are orthonormal within a group, groups are disjoint). */
export const updateSize = memo(computeUpdateSize);

function computeUpdateSize(record: DampingRecord): number {
  let sum = 0;
  for (const s of record.stepLength) if (Number.isFinite(s)) sum += s * s;
  return Math.sqrt(sum);
}

export function gradientNormOption(
  curvature: readonly CurvatureRecord[],
  damping: readonly DampingRecord[],
  palette: ChartPalette,
  log: boolean,
): ChartOption | undefined {
  const grad = new PointBuffer(curvature.length || 1);
  for (const r of curvature) if (usable(r.gradNorm, log)) grad.push(r.step, r.gradNorm);
  const upd = new PointBuffer(damping.length || 1);
  for (const r of damping) {
    const size = updateSize(r);
    if (usable(size, log)) upd.push(r.step, size);
  }
  if (grad.length === 0 && upd.length === 0) return undefined;
  const option = baseOption({ name: 'step' }, { name: 'norm', log }, palette, {
    trigger: 'axis',
    legend: true,
  });
  option.series = [
    ...(grad.length ? [line('gradNorm', 'gradient norm ‖g‖', grad, palette.train)] : []),
    ...(upd.length ? [line('updateSize', 'update size ‖Δθ‖', upd, palette.eval)] : []),
  ];
  return option;
}

// ---- Inspector ---------------------------------------------------------------------------

export function sampleHistogramOption(
  values: ArrayLike<number> | undefined,
  name: string,
  palette: ChartPalette,
  color: string,
  bins = 30,
): ChartOption | undefined {
  if (!values || values.length === 0) return undefined;
  const h = linearHistogram(values, bins);
  if (h.values.length === 0) return undefined;
  const labels = h.values.map((_, i) =>
    formatValue(Number(((h.edges[i] + h.edges[i + 1]) / 2).toPrecision(3))),
  );
  const option = baseOption({ name, category: labels }, { name: 'samples' }, palette);
  option.series = [
    bars(
      name,
      name,
      h.values.map((v, i) => [labels[i], v]),
      color,
    ),
  ];
  return option;
}

export function layerSharesOption(
  record: InspectRecord | undefined,
  palette: ChartPalette,
): ChartOption | undefined {
  if (!record || record.layerShares.length === 0) return undefined;
  const option = baseOption(
    { name: 'layer', category: record.layerNames },
    { name: 'share of ‖e_k‖²' },
    palette,
  );
  option.series = [
    bars(
      'layerShares',
      'share',
      Array.from(record.layerShares, (v, i) => [record.layerNames[i] ?? String(i), v]),
      SERIES_COLORS[4],
    ),
  ];
  return option;
}

export function sliceOption(
  record: InspectRecord | undefined,
  palette: ChartPalette,
): ChartOption | undefined {
  if (!record || record.slice.t.length === 0) return undefined;
  const { t, loss, quadratic } = record.slice;
  const option = baseOption({ name: 't' }, { name: 'loss' }, palette, {
    trigger: 'axis',
    legend: true,
  });
  option.series = [
    line(
      'sliceLoss',
      'L(θ + t·e_k)',
      Array.from(t, (x, i) => [x, loss[i]]),
      palette.train,
      { sampling: undefined },
    ),
    line(
      'sliceQuadratic',
      'q(t)',
      Array.from(t, (x, i) => [x, quadratic[i]]),
      palette.eval,
      {
        sampling: undefined,
        lineStyle: { width: 1.6, type: 'dashed' },
      },
    ),
  ];
  return option;
}

/**
 * The samples that dominate a direction, largest first: by |γ_nk| (its gradient) or by λ_nk
 * (its curvature). Ties keep the batch order.
 */
export function dominantSamples(
  record: InspectRecord,
  count = 8,
  by: 'gamma' | 'lambda' = 'gamma',
) {
  const key = (s: { gamma: number; lambda: number }): number =>
    by === 'gamma' ? Math.abs(s.gamma) : s.lambda;
  return Array.from(record.gammas, (gamma, n) => ({
    n,
    index: record.sampleIndices[n] ?? n,
    gamma,
    lambda: record.lambdas[n],
  }))
    .filter((s) => Number.isFinite(key(s)))
    .sort((a, b) => key(b) - key(a) || a.n - b.n)
    .slice(0, count);
}
