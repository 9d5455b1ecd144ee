// The structured Gram block of a layer whose parameter Jacobian factorizes as input ⊗ output
// (linear): deltas ⊙ (inputGram + c) + prev, written out (see Ops.gramBlock).

import { Float64Tensor, fmt } from './tensor';

export function gramBlock(
  deltas: Float64Tensor,
  inputGram: Float64Tensor,
  vectorsA: number,
  vectorsB: number,
  withBias: boolean,
  prev: Float64Tensor | null,
): Float64Tensor {
  const [rows, cols] = deltas.shape;
  const [na, nb] = inputGram.shape;
  if (
    deltas.shape.length !== 2 ||
    inputGram.shape.length !== 2 ||
    rows !== na * vectorsA ||
    cols !== nb * vectorsB ||
    (prev !== null && (prev.shape.length !== 2 || prev.shape[0] !== rows || prev.shape[1] !== cols))
  ) {
    throw new Error(
      `gramBlock: deltas ${fmt(deltas.shape)}, input Gram ${fmt(inputGram.shape)} with ` +
        `${vectorsA} × ${vectorsB} vectors per sample` +
        (prev ? ` and the running sum ${fmt(prev.shape)}` : '') +
        ' do not fit',
    );
  }
  const c = withBias ? 1 : 0;
  const out = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    const gRow = Math.floor(r / vectorsA) * nb;
    for (let col = 0; col < cols; col++) {
      const at = r * cols + col;
      const value = deltas.data[at] * (inputGram.data[gRow + Math.floor(col / vectorsB)] + c);
      out[at] = prev === null ? value : prev.data[at] + value;
    }
  }
  return new Float64Tensor(out, [rows, cols]);
}
