// A dense row-major float64 matrix: how per-sample, per-direction quantities (γ_nk, λ_nk)
// leave the engine — one typed array, cheap to post between threads.

export interface Matrix {
  rows: number;
  cols: number;
  /** Row-major: entry (r, c) at data[r * cols + c]. */
  data: Float64Array;
}

export function zerosMatrix(rows: number, cols: number): Matrix {
  return { rows, cols, data: new Float64Array(rows * cols) };
}

/** Entry (r, c). */
export function at(m: Matrix, r: number, c: number): number {
  return m.data[r * m.cols + c];
}

/** Column c as a new array. */
export function column(m: Matrix, c: number): Float64Array {
  const out = new Float64Array(m.rows);
  for (let r = 0; r < m.rows; r++) out[r] = m.data[r * m.cols + c];
  return out;
}
