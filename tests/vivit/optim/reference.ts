// Straightforward float64 transcriptions of torch.optim.SGD / torch.optim.Adam's update
// rules (as documented in their pseudo-code), one parameter array at a time.

export function sgdReference(
  params: Float64Array[],
  gradsPerStep: Float64Array[][],
  o: { lr: number; momentum: number; weightDecay: number; nesterov: boolean },
): Float64Array[][] {
  const p = params.map((a) => Float64Array.from(a));
  const bufs: (Float64Array | null)[] = params.map(() => null);
  const history: Float64Array[][] = [];
  gradsPerStep.forEach((grads, t) => {
    p.forEach((param, i) => {
      const g = grads[i].map((v, k) => v + o.weightDecay * param[k]);
      let d = g;
      if (o.momentum !== 0) {
        const buf = t === 0 ? Float64Array.from(g) : bufs[i]!.map((b, k) => o.momentum * b + g[k]);
        bufs[i] = buf;
        d = o.nesterov ? g.map((v, k) => v + o.momentum * buf[k]) : buf;
      }
      for (let k = 0; k < param.length; k++) param[k] -= o.lr * d[k];
    });
    history.push(p.map((a) => Float64Array.from(a)));
  });
  return history;
}

export function adamReference(
  params: Float64Array[],
  gradsPerStep: Float64Array[][],
  o: { lr: number; beta1: number; beta2: number; eps: number; weightDecay: number },
): Float64Array[][] {
  const p = params.map((a) => Float64Array.from(a));
  const m = params.map((a) => new Float64Array(a.length));
  const v = params.map((a) => new Float64Array(a.length));
  const history: Float64Array[][] = [];
  gradsPerStep.forEach((grads, step) => {
    const t = step + 1;
    p.forEach((param, i) => {
      for (let k = 0; k < param.length; k++) {
        const g = grads[i][k] + o.weightDecay * param[k];
        m[i][k] = o.beta1 * m[i][k] + (1 - o.beta1) * g;
        v[i][k] = o.beta2 * v[i][k] + (1 - o.beta2) * g * g;
        const mHat = m[i][k] / (1 - o.beta1 ** t);
        const vHat = v[i][k] / (1 - o.beta2 ** t);
        param[k] -= (o.lr * mHat) / (Math.sqrt(vHat) + o.eps);
      }
    });
    history.push(p.map((a) => Float64Array.from(a)));
  });
  return history;
}
