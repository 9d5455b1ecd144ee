// The scalar arithmetic the naive forward pass is written in. The same forward code runs on
// plain float64 numbers (the primal) and on dual numbers v + d·ε with ε² = 0 (forward-mode
// derivatives, exact to rounding), so the Jacobian is the derivative of exactly the function
// whose value we report. Branches (relu, maxpool) look at the primal value only, so a dual
// pass takes the same branch as the primal pass.

export interface Scalar<T> {
  constant(x: number): T;
  /** The primal value, for branch decisions and for reading results out. */
  value(a: T): number;
  add(a: T, b: T): T;
  sub(a: T, b: T): T;
  mul(a: T, b: T): T;
  /** a · x for a plain number x. */
  scale(a: T, x: number): T;
  div(a: T, b: T): T;
  exp(a: T): T;
  tanh(a: T): T;
  sigmoid(a: T): T;
}

/** Logistic function written to stay finite for large |x|. */
export function logistic(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

export const float64: Scalar<number> = {
  constant: (x) => x,
  value: (a) => a,
  add: (a, b) => a + b,
  sub: (a, b) => a - b,
  mul: (a, b) => a * b,
  scale: (a, x) => a * x,
  div: (a, b) => a / b,
  exp: (a) => Math.exp(a),
  tanh: (a) => Math.tanh(a),
  sigmoid: (a) => logistic(a),
};

/** v + d·ε: value and directional derivative along one tangent. */
export interface Dual {
  readonly v: number;
  readonly d: number;
}

const dual = (v: number, d: number): Dual => ({ v, d });

export const dualNumbers: Scalar<Dual> = {
  constant: (x) => dual(x, 0),
  value: (a) => a.v,
  add: (a, b) => dual(a.v + b.v, a.d + b.d),
  sub: (a, b) => dual(a.v - b.v, a.d - b.d),
  mul: (a, b) => dual(a.v * b.v, a.d * b.v + a.v * b.d),
  scale: (a, x) => dual(a.v * x, a.d * x),
  div: (a, b) => dual(a.v / b.v, (a.d * b.v - a.v * b.d) / (b.v * b.v)),
  exp: (a) => {
    const e = Math.exp(a.v);
    return dual(e, e * a.d);
  },
  tanh: (a) => {
    const t = Math.tanh(a.v);
    return dual(t, (1 - t * t) * a.d);
  },
  sigmoid: (a) => {
    const s = logistic(a.v);
    return dual(s, s * (1 - s) * a.d);
  },
};

export { dual };
