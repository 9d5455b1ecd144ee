// ViViT quantities from a group's Gram matrix, projections and (when needed) the lift through
// V: one quantity per file.

export { DEFAULT_EIG_RTOL, gramSpectrum, type Spectrum } from './spectrum';
export { directionalGradients, gammaProduct, gammasFromProduct } from './gammas';
export { blockSquares, directionalCurvatures, lambdasFromBlockSquares } from './lambdas';
export { columnMeans, columnVariances, signalToNoise } from './statistics';
export { gradientOverlap, type GradientOverlap } from './overlap';
export {
  flipColumns,
  flipEntries,
  flipRows,
  gradientSigns,
  largestEntrySign,
  signsFromExtremes,
  type Extremes,
  type SignRule,
} from './signs';
export { eigenvectorCoefficients, normSharesByLayer } from './eigenvectors';
export {
  newtonCoefficients,
  resolveDamping,
  type Damping,
  type DampingPolicy,
  type DirectionStatistics,
  type NewtonCoefficients,
} from './newton-step';
export { gramLayerShares } from './layer-shares';
export { at, column, zerosMatrix, type Matrix } from './matrix';
