// The comparison log's curves, drawn dashed over the session's: its smoothed training loss on
// the performance chart (same smoothing and axes as the session's) and its gradient norm.
import type { SessionColumns } from '../stores/columns';
import type { PerformanceSettings } from './performanceSeries';
import { EmaSmoother } from './smoothing';
import { PointBuffer } from './pointBuffer';

export const COMPARISON_COLOR = '#8a8f9c';

/** Smoothed training loss of the comparison log as (step, loss), gaps where unusable. */
export function comparisonLoss(
  columns: SessionColumns,
  settings: PerformanceSettings,
): PointBuffer {
  const { step, loss } = columns.steps;
  const out = new PointBuffer(Math.max(1, step.length));
  const ema = new EmaSmoother(settings.smoothing);
  for (let i = 0; i < step.length; i++) {
    const y = ema.next(loss[i]);
    if (settings.logStep && !(step[i] > 0)) continue;
    out.push(step[i], Number.isFinite(y) && (!settings.logLoss || y > 0) ? y : Number.NaN);
  }
  return out;
}

/** Line series for the performance chart's loss grid. */
export function comparisonLossSeries(points: PointBuffer, name: string) {
  return {
    id: 'comparisonLoss',
    name: `compared: ${name}`,
    type: 'line' as const,
    xAxisIndex: 0,
    yAxisIndex: 0,
    data: points.view() as never, // flat (x, y) pairs, see pointBuffer.ts
    dimensions: ['step', 'value'],
    color: COMPARISON_COLOR,
    showSymbol: false,
    sampling: 'lttb' as const,
    z: 0,
    lineStyle: { width: 1.5, type: 'dashed' as const },
    emphasis: { disabled: true },
  };
}
