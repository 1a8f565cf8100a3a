// The engine's only source of randomness: a seeded mulberry32 PRNG, so a placement can be replayed
// from (seed, nodes, requests), plus the co-prime stride that turns the node array into a shuffled ring.

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

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

/**
 * A random step in [1, n) co-prime to n, so `start + i * stride (mod n)` for i = 0..n-1 visits every
 * slot exactly once. The share of co-prime draws, phi(n)/n, stays above 0.17 for every n below 10^8,
 * so the loop ends after a few tries.
 */
export function coprimeStride(n: number, rng: Prng): number {
  if (n <= 2) return 1;
  for (;;) {
    const s = 1 + rng.int(n - 1);
    if (gcd(s, n) === 1) return s;
  }
}
