// Cockpit's Distance and UpdateSize: ℓ₂ distances between two parameter states, per parameter
// tensor and in total — ‖θ_t − θ_0‖ (distance from initialization) and ‖θ_{t+1} − θ_t‖ (the
// update size).

export interface ParameterDistance {
  perParameter: Float64Array;
  total: number;
}

export function parameterDistance(
  a: readonly ArrayLike<number>[],
  b: readonly ArrayLike<number>[],
): ParameterDistance {
  if (a.length !== b.length) {
    throw new RangeError(`${a.length} parameter tensors against ${b.length}`);
  }
  const perParameter = new Float64Array(a.length);
  let total = 0;
  a.forEach((x, p) => {
    const y = b[p];
    if (x.length !== y.length) {
      throw new RangeError(`parameter ${p}: ${x.length} values against ${y.length}`);
    }
    let s = 0;
    for (let i = 0; i < x.length; i++) s += (x[i] - y[i]) ** 2;
    perParameter[p] = Math.sqrt(s);
    total += s;
  });
  return { perParameter, total: Math.sqrt(total) };
}
