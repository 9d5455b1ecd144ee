// Cockpit's gradient-noise and batch-size instruments from ViViT's per-sample signals: one file
// per quantity, all fed by `perSampleGradientStatistics` (one forward and backward pass).
export { batchGradientMoments, type BatchGradientMoments } from './batch-statistics';
export { cabsBatchSize } from './cabs';
export { GSNR_EPSILON, meanGsnr } from './gsnr';
export { innerProductTest } from './inner-product-test';
export { normTest } from './norm-test';
export { orthogonalityTest } from './orthogonality-test';
export {
  GGN_TRACE_STREAM,
  perSampleGradientStatistics,
  type PerSampleGradientStatistics,
  type PerSampleOptions,
} from './per-sample';
export { perSampleLosses, sampledLossFactor } from './per-sample-loss';
export {
  binIndex,
  gradientHistograms,
  gradientRange,
  histogramEdges,
  parameterRange,
  type GradientHistograms,
  type Histogram1d,
  type HistogramBins,
  type LayerGradients,
  type LayerHistogram2d,
} from './grad-hist';
export { TIC_EPSILON, ticTrace } from './tic';
export { fitLineQuadratic, localStepSize, meanAndVariance, type LineObservation } from './alpha';
export { parameterDistance, type ParameterDistance } from './distance';
