// Interop with other implementations of the paper: the curvature-case format
// (docs/curvature-case.md) in, the result format out. Pure: callers read and write
// the files (src/main/cli/curvature.ts).

export { CASE_DEFAULTS, caseTensors, importCase } from './case';
export type { CaseDtype, CaseOptions, ImportedCase, ImportResult } from './case';
export { formatCaseIssue } from './issues';
export type { CaseIssue } from './issues';
export { exportResult, formatResultJson, nonFiniteEntries } from './result';
export type { CurvatureResultJson, GroupResultJson } from './result';
export { computeCaseResult, curvatureOptions } from './run';
export type { CaseRun, CaseRunOptions } from './run';
