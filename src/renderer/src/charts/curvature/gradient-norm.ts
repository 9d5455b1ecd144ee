// Gradient-norm panel: ‖g‖ at curvature steps and the damped Newton update size.
import type { CurvatureRecord, DampingRecord } from '../../../../protocol/records';
import type { ChartOption } from '../echarts';
import type { ChartPalette } from '../palette';
import { PointBuffer } from '../pointBuffer';
import { baseOption, line, usable } from './base';
import { updateSize } from './damping';

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
