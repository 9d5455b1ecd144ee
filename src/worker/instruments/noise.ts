// Cockpit's gradient-noise instruments and gradient histograms of one step, from one pass of
// per-sample gradient statistics on the step's training batch (the engine reads back once).
import type { LayerSpec, OptimizerSpec } from '../../protocol/definition';
import type { HistogramRecord, NoiseRecord } from '../../protocol/records';
import {
  batchGradientMoments,
  cabsBatchSize,
  innerProductTest,
  meanGsnr,
  normTest,
  orthogonalityTest,
  ticTrace,
  type Network,
  type PerSampleGradientStatistics,
} from '../../vivit';
import { parameterLayers } from '../curvature/monitor';

/** The learning rate CABS scales with: SGD-like steps only (CABS assumes θ ← θ − lr·g). */
export function cabsLearningRate(optimizer: OptimizerSpec): number | undefined {
  return optimizer.type === 'adam' ? undefined : optimizer.lr;
}

export function noiseRecord(
  step: number,
  stats: PerSampleGradientStatistics,
  optimizer: OptimizerSpec,
): NoiseRecord {
  const moments = batchGradientMoments(stats.gram, stats.batch);
  const ggnTrace = stats.ggnTrace ?? Number.NaN;
  const record: NoiseRecord = {
    type: 'noise',
    step,
    batch: stats.batch,
    loss: stats.loss,
    gradNorm: Math.sqrt(moments.meanNormSquared),
    sampleGradNorms: moments.normsSquared.map((v) => Math.sqrt(Math.max(0, v))),
    meanGsnr: meanGsnr(stats),
    normTest: normTest(moments),
    innerProductTest: innerProductTest(moments),
    orthogonalityTest: orthogonalityTest(moments),
    ggnTrace,
    tic: ticTrace(moments, ggnTrace),
  };
  const lr = cabsLearningRate(optimizer);
  if (lr !== undefined) record.cabsBatchSize = cabsBatchSize(moments, lr, stats.loss);
  return record;
}

export function histogramRecord(
  step: number,
  stats: PerSampleGradientStatistics,
  network: Network,
  model: readonly LayerSpec[],
): HistogramRecord {
  const histograms = stats.histograms;
  if (!histograms) throw new Error('the per-sample pass computed no histograms');
  const { layers, names } = parameterLayers(network, model);
  return {
    type: 'histogram',
    step,
    batch: stats.batch,
    gradient: { edges: histograms.gradient.edges, counts: histograms.gradient.counts },
    layers: histograms.layers.map((h) => ({
      layer: names[layers.indexOf(h.layer)] ?? `model[${h.layer}]`,
      paramEdges: h.paramEdges,
      gradEdges: h.gradEdges,
      counts: h.counts,
    })),
  };
}
