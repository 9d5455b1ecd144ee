// Closeness measures for the oracle's own tests.

/** max |a − b| / max |b| (array-wise relative error); throws on length mismatch. */
export function relErr(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  if (actual.length !== expected.length)
    throw new Error(`length ${actual.length} != ${expected.length}`);
  let diff = 0;
  let ref = 0;
  for (let i = 0; i < expected.length; i++) {
    diff = Math.max(diff, Math.abs(actual[i] - expected[i]));
    ref = Math.max(ref, Math.abs(expected[i]));
  }
  if (ref === 0) throw new Error('reference is all zeros: a relative comparison would be vacuous');
  return diff / ref;
}

/** max_i |a_i − b_i| / |b_i| (entry-wise relative error). */
export function entrywiseRelErr(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  if (actual.length !== expected.length)
    throw new Error(`length ${actual.length} != ${expected.length}`);
  let worst = 0;
  for (let i = 0; i < expected.length; i++) {
    worst = Math.max(worst, Math.abs(actual[i] - expected[i]) / Math.abs(expected[i]));
  }
  return worst;
}

/** Row-wise relErr over a matrix given as rows, worst row. */
export function rowsRelErr(actual: ArrayLike<number>[], expected: ArrayLike<number>[]): number {
  if (actual.length !== expected.length)
    throw new Error(`rows ${actual.length} != ${expected.length}`);
  return Math.max(0, ...expected.map((row, i) => relErr(actual[i], row)));
}

/** Column k of rows. */
export function column(rows: ArrayLike<number>[], k: number): number[] {
  return rows.map((r) => r[k]);
}
