// Seeded randomness for the data side (synthetic data, shuffling, the eval subset), built on the
// engine's PRNG. Independent streams are named, so that e.g. the shuffle of epoch 7 does not
// depend on how many numbers the synthetic generator drew.
import { Rng } from '../../vivit/spec';

export class Random {
  private readonly rng: Rng;

  constructor(seed: number, stream = '') {
    this.rng = new Rng(seed, stream);
  }

  static forStream(seed: number, stream: string): Random {
    return new Random(seed, stream);
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.rng.next();
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.rng.next() * n);
  }

  /** Standard normal. */
  normal(): number {
    return this.rng.normal();
  }

  /** A uniformly random permutation of 0..n-1 (Fisher-Yates). */
  permutation(n: number): Int32Array {
    const p = new Int32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = p[i];
      p[i] = p[j];
      p[j] = t;
    }
    return p;
  }
}
