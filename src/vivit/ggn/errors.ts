// Errors of the curvature engine that name what is wrong and where (the option field, the
// batch), so the worker and the CLI can show them as they are.

/** A curvature request that cannot be honoured as given: bad option, bad batch. */
export class CurvatureInputError extends Error {
  /** The offending option or input, as a path: "options.groups[1][0]", "batch.y". */
  readonly field: string;

  constructor(field: string, message: string) {
    super(`${field}: ${message}`);
    this.name = 'CurvatureInputError';
    this.field = field;
  }
}

/** A request whose estimated memory exceeds the budget; nothing was computed. */
export class CurvatureMemoryError extends Error {
  readonly estimatedBytes: number;
  readonly budgetBytes: number;

  constructor(message: string, estimatedBytes: number, budgetBytes: number) {
    super(message);
    this.name = 'CurvatureMemoryError';
    this.estimatedBytes = estimatedBytes;
    this.budgetBytes = budgetBytes;
  }
}
