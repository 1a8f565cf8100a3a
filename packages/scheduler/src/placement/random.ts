// The engine's only source of randomness: a seeded mulberry32 PRNG, so a placement can be replayed
// from (seed, nodes, requests).

/** mulberry32: 32 bits of state, a few integer ops per draw; plenty for sampling, not for secrets. */
export class Prng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) | 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
}

export function randomSeed(): number {
  return Math.floor(Math.random() * 4294967296);
}
