// Shared by the gradient-noise instruments: the batch gradient and the projections of the
// per-sample gradients onto it, from the per-sample gradient Gram matrix G_ij = g_iᵀg_j.
//   ‖ḡ‖² = (1/B²) Σ_ij G_ij,    g_iᵀḡ = (1/B) Σ_j G_ij,    ‖g_i‖² = G_ii.

export interface BatchGradientMoments {
  batch: number;
  /** ‖ḡ‖² of the batch-mean gradient ḡ = (1/B) Σ g_n. */
  meanNormSquared: number;
  /** g_nᵀḡ per sample. */
  projections: Float64Array;
  /** ‖g_n‖² per sample. */
  normsSquared: Float64Array;
}

export function batchGradientMoments(gram: Float64Array, batch: number): BatchGradientMoments {
  if (gram.length !== batch * batch) {
    throw new RangeError(`the Gram matrix has ${gram.length} entries, B = ${batch} needs B²`);
  }
  const projections = new Float64Array(batch);
  const normsSquared = new Float64Array(batch);
  let total = 0;
  for (let i = 0; i < batch; i++) {
    let row = 0;
    for (let j = 0; j < batch; j++) row += gram[i * batch + j];
    projections[i] = row / batch;
    normsSquared[i] = gram[i * batch + i];
    total += row;
  }
  return { batch, meanNormSquared: total / (batch * batch), projections, normsSquared };
}
