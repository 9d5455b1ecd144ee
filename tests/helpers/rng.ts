// The one seeded random stream of the tests and benches (mulberry32; normals by Box–Muller).
// Its own code, so test data shares nothing with the engine's generator (src/vivit/random.ts).

export class SeededRng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Uniform in [0, 1) with 32 random bits. */
  uniform(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Standard normal, one per two uniforms. */
  normal(): number {
    const u = 1 - this.uniform();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.uniform());
  }
}

/** The stream as a plain function returning uniforms in [0, 1). */
export function uniforms(seed: number): () => number {
  const rng = new SeededRng(seed);
  return () => rng.uniform();
}
