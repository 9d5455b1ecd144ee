// Sample quantiles with linear interpolation between order statistics — numpy's default
// (`method='linear'`, R's type 7): with the values sorted ascending x_(0) ≤ … ≤ x_(R−1) and
// h = (R − 1)·q, the q-quantile is x_(⌊h⌋) + (h − ⌊h⌋)·(x_(⌊h⌋+1) − x_(⌊h⌋)).
// Found by selection (expected O(R)), not a full sort: the bootstrap asks for one quantile of
// R values for every (candidate δ, direction) pair.

/**
 * The q-quantile of `values` (q in [0, 1]). Reorders `values` in place (pass a scratch copy).
 * NaN when any value is NaN.
 */
export function quantileInPlace(values: Float64Array, q: number): number {
  const n = values.length;
  if (n === 0) return Number.NaN;
  for (let i = 0; i < n; i++) if (Number.isNaN(values[i])) return Number.NaN;
  const h = (n - 1) * q;
  const lo = Math.floor(h);
  const lower = select(values, lo);
  if (lo + 1 >= n || h === lo) return lower;
  // After selection everything right of `lo` is ≥ x_(lo); the next order statistic is their min.
  let upper = Infinity;
  for (let i = lo + 1; i < n; i++) if (values[i] < upper) upper = values[i];
  if (upper === lower) return lower; // equal neighbours (even ±∞) give exactly that value
  // numpy's _lerp: from the nearer end, so the result is monotone and exact at the ends.
  const t = h - lo;
  const diff = upper - lower;
  return t >= 0.5 ? upper - diff * (1 - t) : lower + diff * t;
}

/** The q-quantile of `values`, leaving them untouched. */
export function quantile(values: ArrayLike<number>, q: number): number {
  return quantileInPlace(Float64Array.from(values), q);
}

/** Hoare-style quickselect: afterwards a[k] is the k-th smallest, a[<k] ≤ a[k] ≤ a[>k]. */
function select(a: Float64Array, k: number): number {
  let left = 0;
  let right = a.length - 1;
  while (right > left) {
    // Median of three as the pivot keeps sorted and reversed inputs linear.
    const mid = (left + right) >>> 1;
    const pivot = median3(a[left], a[mid], a[right]);
    let i = left;
    let j = right;
    while (i <= j) {
      while (a[i] < pivot) i++;
      while (a[j] > pivot) j--;
      if (i <= j) {
        const t = a[i];
        a[i] = a[j];
        a[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) right = j;
    else if (k >= i) left = i;
    else break; // j < k < i: a[k] equals the pivot and sits in its final place
  }
  return a[k];
}

function median3(a: number, b: number, c: number): number {
  if (a < b) return b < c ? b : a < c ? c : a;
  return a < c ? a : b < c ? c : b;
}
