// TensorBoard's scalar smoothing: an exponential moving average with bias correction, so the
// first points are not pulled toward zero. weight 0 = raw values, 0.99 = very smooth.
//   m_n = w·m_{n-1} + (1−w)·y_n,  m_0 = 0,   shown: m_n / (1 − w^k)   (k = finite values so far)
// Non-finite values (a diverged loss) pass through unchanged and do not enter the average.

export class EmaSmoother {
  private mean = 0;
  private count = 0;

  constructor(readonly weight: number) {
    if (!(weight >= 0 && weight < 1))
      throw new RangeError(`smoothing weight ${weight} not in [0, 1)`);
  }

  next(value: number): number {
    if (!Number.isFinite(value)) return value;
    this.mean = this.weight * this.mean + (1 - this.weight) * value;
    this.count += 1;
    return this.mean / (1 - this.weight ** this.count);
  }
}

export function smoothEma(values: readonly number[], weight: number): number[] {
  const smoother = new EmaSmoother(weight);
  return values.map((v) => smoother.next(v));
}
