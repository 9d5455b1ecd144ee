// Cockpit's gradient-noise and batch-size instruments from ViViT's per-sample signals: one file
// per quantity, all fed by `perSampleGradientStatistics` (one forward and backward pass).
export { batchGradientMoments, type BatchGradientMoments } from './batch-statistics';
export { cabsBatchSize } from './cabs';
export { GSNR_EPSILON, meanGsnr } from './gsnr';
export { innerProductTest } from './inner-product-test';
export { normTest } from './norm-test';
export { orthogonalityTest } from './orthogonality-test';
export { perSampleGradientStatistics, type PerSampleGradientStatistics } from './per-sample';
export { TIC_EPSILON, ticTrace } from './tic';
export { fitLineQuadratic, localStepSize, meanAndVariance, type LineObservation } from './alpha';
export { parameterDistance, type ParameterDistance } from './distance';
