// Shapes as the messages print them.

/** "[1, 28, 28]" */
export function formatShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}
