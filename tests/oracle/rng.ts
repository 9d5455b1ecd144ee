// The oracle's random stream: the tests' seeded generator (mulberry32) with the seed mixed with
// a stream id, and Box-Muller normals that use both values of a pair. Quality is ample for test
// data and MC draws.
import { SeededRng } from '../helpers/rng';

export class OracleRng extends SeededRng {
  private spareNormal: number | null = null;

  constructor(seed: number, stream = 0) {
    // Mix the seed and the stream id so neighbouring seeds give unrelated streams.
    let s = (Math.trunc(seed) ^ 0x9e3779b9) >>> 0;
    s = Math.imul(s ^ (s >>> 16), 0x85ebca6b) >>> 0;
    s = (s + Math.imul(Math.trunc(stream) + 1, 0xc2b2ae35)) >>> 0;
    s = Math.imul(s ^ (s >>> 13), 0x27d4eb2f) >>> 0;
    super(s);
  }

  /** Standard normal; both values of each Box-Muller pair are used. */
  override normal(): number {
    if (this.spareNormal !== null) {
      const z = this.spareNormal;
      this.spareNormal = null;
      return z;
    }
    let u = 0;
    while (u === 0) u = this.uniform();
    const v = this.uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spareNormal = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /** Integer in [0, n). */
  int(n: number): number {
    return Math.min(n - 1, Math.floor(this.uniform() * n));
  }

  /** Index drawn with probabilities p (which sum to 1). */
  categorical(p: ArrayLike<number>): number {
    const u = this.uniform();
    let acc = 0;
    for (let i = 0; i < p.length; i++) {
      acc += p[i];
      if (u < acc) return i;
    }
    return p.length - 1;
  }

  rademacher(): number {
    return this.uniform() < 0.5 ? -1 : 1;
  }
}
