// The engine's errors, each naming what is wrong and where (the layer and field of the model,
// the option field, the batch), phrased for the person who wrote the definition or the request,
// so the worker and the CLI can show them as they are.

/** A model that does not fit its input: which layer, which field, and why (PyTorch shapes,
 *  model[i] indices). */
export class LayerShapeError extends Error {
  /** Index of the offending layer in the model list. */
  readonly index: number;
  /** The layer's field at fault (e.g. 'in', 'in_channels', 'kernel_size'), when one is. */
  readonly field?: string;

  constructor(index: number, message: string, field?: string) {
    super(message);
    this.name = 'LayerShapeError';
    this.index = index;
    if (field !== undefined) this.field = field;
  }
}

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
