// One imported case through the curvature engine: float64 cases on the float64 Ops, float32
// cases on tfjs (whatever backend is active; the caller chooses it), every quantity the
// result format has, signs by the format's rule. Pure: no files.

import {
  computeCurvature,
  type CurvatureOptions,
  type CurvatureResult,
  type CurvatureTimings,
} from '../curvature';
import { float64Ops } from '../tensor/float64-ops';
import type { Ops } from '../tensor/ops';
import { tfjsOps } from '../tensor/tfjs-ops';
import { caseTensors, type ImportedCase } from './case';
import { exportResult, type CurvatureResultJson } from './result';

export interface CaseRun {
  result: CurvatureResultJson;
  /** The engine's own result (more than the format holds: SNRs, step lengths, ...). */
  engine: CurvatureResult;
  timings: CurvatureTimings;
}

export interface CaseRunOptions {
  /** Passed to the engine, which refuses requests estimated above it (default 4 GiB). */
  memoryBudgetBytes?: number;
}

/** The engine options a case asks for. */
export function curvatureOptions(c: ImportedCase, run: CaseRunOptions = {}): CurvatureOptions {
  const o = c.options;
  return {
    quantities: ['eigenvalues', 'eigenvectors', 'gammas', 'lambdas', 'newtonStep'],
    groups: o.paramGroups,
    subsampling: o.subsampling,
    subsamplingGrad: o.subsamplingGrad,
    mcSamples: o.mcSamples,
    seed: o.seed,
    eigRtol: o.eigRtol,
    eigenvectorCount: o.nEigvecs,
    damping: o.damping,
    // The format's rule, applied by the engine to every direction (γ columns included).
    signs: 'largest-entry',
    ...(run.memoryBudgetBytes !== undefined && { memoryBudgetBytes: run.memoryBudgetBytes }),
  };
}

async function runOn<T>(
  c: ImportedCase,
  ops: Ops<T>,
  options: CurvatureOptions,
): Promise<CurvatureResult> {
  const { params, x, y } = caseTensors(c, ops);
  try {
    return await computeCurvature(
      { ops, network: c.network, params, loss: c.loss },
      { x, y },
      options,
    );
  } finally {
    ops.dispose([...params, x, y]);
  }
}

/** Computes the case's result (throws the engine's errors, e.g. CurvatureMemoryError). */
export async function computeCaseResult(
  c: ImportedCase,
  run: CaseRunOptions = {},
): Promise<CaseRun> {
  const options = curvatureOptions(c, run);
  // The engine frees its own tfjs tensors (no tidy around it: a tidy would walk the typed
  // arrays of the result).
  const engine =
    c.dtype === 'float64' ? await runOn(c, float64Ops, options) : await runOn(c, tfjsOps, options);
  return { result: exportResult(engine, c.options.nEigvecs), engine, timings: engine.timings };
}
