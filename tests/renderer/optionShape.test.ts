import { describe, expect, it } from 'vitest';
import { optionShape } from '../../src/renderer/src/charts/optionShape';
import { snrAgainstLambdaOption } from '../../src/renderer/src/charts/curvature/noise';
import { remainderOption } from '../../src/renderer/src/charts/curvature/overlap';
import { spectrumHistogramOption } from '../../src/renderer/src/charts/curvature/spectrum';
import type { ChartPalette } from '../../src/renderer/src/charts/palette';
import { curvatureRecord } from './curvatureFixtures';

const palette = new Proxy({}, { get: () => '#123456' }) as ChartPalette;

describe('option shape (merge or replace a chart option)', () => {
  it('stays the same when only the data changes', () => {
    const one = [curvatureRecord(0)];
    const two = [curvatureRecord(0), curvatureRecord(10)];
    expect(optionShape(remainderOption(two, 0, palette)!)).toBe(
      optionShape(remainderOption(one, 0, palette)!),
    );
    expect(optionShape(snrAgainstLambdaOption(two, palette, true)!)).toBe(
      optionShape(snrAgainstLambdaOption(one, palette, true)!),
    );
  });

  it('changes with the kind of an axis, the legend or the zooms', () => {
    const records = [curvatureRecord(0)];
    const logAxes = optionShape(snrAgainstLambdaOption(records, palette, true)!);
    expect(optionShape(snrAgainstLambdaOption(records, palette, false)!)).not.toBe(logAxes);
    const counts = optionShape(spectrumHistogramOption(records[0], palette, false)!);
    expect(optionShape(spectrumHistogramOption(records[0], palette, true)!)).not.toBe(counts);
    expect(optionShape(remainderOption(records, 0, palette)!)).not.toBe(logAxes);
  });
});
