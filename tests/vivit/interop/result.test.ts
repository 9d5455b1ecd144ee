// The exporter on its own: an engine result (per-parameter arrays, Matrix tables, eigenvectors
// in any order) built from the oracle's dense results must come out as the oracle's result in
// the format exactly: same order, flattening, group placement, and only n_eigvecs vectors.
import { describe, expect, it } from 'vitest';
import type { CurvatureResult } from '../../../src/vivit/curvature';
import {
  exportResult,
  formatResultJson,
  nonFiniteEntries,
} from '../../../src/vivit/interop/result';
import { bruteForceCurvature, randomCase, resultOnly, type OracleOutput } from '../../oracle';

/** Splits a flat vector over `indices` into per-parameter arrays (PyTorch layout). */
function split(oracle: OracleOutput, flat: ArrayLike<number>, indices: number[]): Float64Array[] {
  const sizes = oracle.intermediates.plan.paramShapes.map((s) => s.reduce((a, b) => a * b, 1));
  let at = 0;
  return indices.map((p) => {
    const part = Float64Array.from(Array.from(flat).slice(at, at + sizes[p]));
    at += sizes[p];
    return part;
  });
}

const matrix = (rows: Float64Array[], cols: number) => ({
  rows: rows.length,
  cols,
  data: Float64Array.from(rows.flatMap((r) => Array.from(r))),
});

/** The parts of an engine result the exporter reads, from the oracle. */
function engineResultFrom(oracle: OracleOutput): CurvatureResult {
  const all = oracle.intermediates.plan.paramShapes.map((_, i) => i);
  const groups = oracle.intermediates.groups.map((g) => ({
    params: g.paramIndices,
    eigenvalues: g.eigenvalues.slice(0, g.K),
    gammas: matrix(g.gammas, g.K),
    lambdas: matrix(g.lambdas, g.K),
    // All K, last first: the exporter must pick and order the leading ones itself.
    eigenvectors: g.eigenvectors
      .slice(0, g.K)
      .map((v, index) => ({ index, parameters: split(oracle, v, g.paramIndices) }))
      .reverse(),
    newtonStep: { parameters: split(oracle, g.newtonStep, g.paramIndices) },
  }));
  // Only what the exporter reads (samples, timings, memory etc. are not part of the format).
  return {
    loss: oracle.loss,
    gradient: split(oracle, oracle.gradient, all),
    newtonStep: split(oracle, oracle.newton_step, all),
    groups,
  } as unknown as CurvatureResult;
}

describe('exportResult', () => {
  it('CNN with two groups (one not contiguous) and a parameter in no group', () => {
    const c = randomCase({
      model: [
        { type: 'conv2d', in_channels: 2, out_channels: 2, kernel_size: 2, stride: 1, padding: 1 },
        { type: 'tanh' },
        { type: 'avgpool2d', kernel_size: 2 },
        { type: 'flatten' },
        { type: 'linear', in: 8, out: 3 },
      ],
      inputShape: [2, 3, 3],
      N: 3,
      loss: 'cross_entropy',
      seed: 11,
      // params: 0 conv weight, 1 conv bias, 2 linear weight, 3 linear bias (in no group)
      param_groups: [[2, 0], [1]],
      n_eigvecs: 2,
    });
    const oracle = bruteForceCurvature(c);
    const result = exportResult(engineResultFrom(oracle), 2);
    expect(result).toEqual(resultOnly(oracle));
    expect(result.groups[0].param_indices).toEqual([0, 2]);
    expect(result.groups[0].eigvecs_top).toHaveLength(2);
    expect(result.newton_step.slice(-3)).toEqual([0, 0, 0]);
  });

  it('refuses an engine result without the leading eigenvectors', () => {
    const c = randomCase({
      model: [{ type: 'linear', in: 3, out: 2 }],
      inputShape: [3],
      N: 2,
      loss: 'mse',
      seed: 5,
    });
    const engine = engineResultFrom(bruteForceCurvature(c));
    engine.groups[0].eigenvectors = engine.groups[0].eigenvectors!.filter((e) => e.index !== 1);
    expect(() => exportResult(engine, 3)).toThrow(/expected 0\.\.2/);
  });

  it('formats JSON with full float64 precision, one line per number list', () => {
    const value = {
      loss: 0.1 + 0.2,
      gradient: [1 / 3, -2e-300],
      groups: [{ eigvecs_top: [[1], [2]] }],
    };
    const text = formatResultJson(value);
    expect(JSON.parse(text)).toEqual(value);
    expect(text).toBe(
      [
        '{',
        '  "loss": 0.30000000000000004,',
        '  "gradient": [0.3333333333333333,-2e-300],',
        '  "groups": [',
        '    {',
        '      "eigvecs_top": [',
        '        [1],',
        '        [2]',
        '      ]',
        '    }',
        '  ]',
        '}',
      ].join('\n'),
    );
    expect(
      nonFiniteEntries({ loss: NaN, gradient: [1, Infinity], newton_step: [], groups: [] }),
    ).toEqual(['loss = NaN', 'gradient[1] = Infinity']);
  });
});
