// A model that does not fit its input: which layer, which field, and why, phrased for the
// person who wrote the run definition (PyTorch shapes, model[i] indices).

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

/** "[1, 28, 28]" */
export function formatShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}
