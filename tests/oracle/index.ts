// Brute-force float64 oracle for the curvature engine's tests. Shares no code with src/: its
// own naive forward (network.ts), dual-number Jacobians (jacobian.ts), closed-form losses
// (loss.ts), dense GGN and cyclic-Jacobi eigensolver (curvature.ts, jacobi.ts). See README.md.

export {
  bruteForceCurvature,
  resultOnly,
  CASE_DEFAULTS,
  type OracleOutput,
  type OracleIntermediates,
  type GroupIntermediates,
  type OracleOptions,
} from './curvature';
export { randomCase, tinyNetworks, type RandomCaseOptions, type TinyNetwork } from './random-case';
export {
  groupFactor,
  gramOf,
  factorTransposeTimes,
  restrictToGroup,
  type GroupFactor,
} from './factor';
export { jacobiEigen, fixSign, symmetricSqrt } from './jacobi';
export { jacobianDual, jacobianFiniteDiff, flattenParams, outputOf } from './jacobian';
export { planNetwork, CaseError } from './network';
export type { CurvatureCase, CurvatureResult, GroupResult, LayerSpec } from './types';
