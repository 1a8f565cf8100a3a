// Spread's selection over the scored sample: among candidates whose declared load ties, the one
// with the fewest allocations wins. Without it, workloads that declare nothing (every declared
// fraction 0) are told apart only by measured use, which lags a heartbeat: a burst of them all
// landed on whichever node looked idlest (30 of 30 on one of 3 nodes). The allocation count moves
// with every reservation, so such a burst is dealt out evenly. Declared load that differs is still
// ranked by the blended score, so spread stays load-aware.
import type { Prng } from './random.js';

/**
 * The sample of one spread decision. The engine adds each scored candidate, then describes each
 * (declared fractions, allocations: read once per decision, not in the hot loop); pick() groups them by
 * declared fractions (exact ties: same reservations and capacity, or nothing declared anywhere),
 * keeps each group's candidate with the fewest allocations (then the best score), and returns the
 * best-scoring of those. Equal candidates are chosen between by the engine's PRNG (reservoir
 * sampling), so a decision replays from the seed. O(k²) in the sample size k (about log2 N, ≤ 17 at
 * 100k nodes) over a few small typed arrays.
 */
export class SpreadSample {
  private slot = new Int32Array(32);
  private declCpu = new Float64Array(32);
  private declMem = new Float64Array(32);
  private score = new Float64Array(32);
  private allocs = new Float64Array(32);
  /** Per candidate: the first candidate of its group; at a group's first: the group's winner. */
  private group = new Int32Array(32);
  private winner = new Int32Array(32);
  private ties = new Int32Array(32);
  private size = 0;

  clear(): void {
    this.size = 0;
  }

  get length(): number {
    return this.size;
  }

  /** A scored candidate (kept lean: this runs in the engine's hot loop). */
  add(slot: number, score: number): void {
    if (this.size === this.slot.length) this.grow();
    const i = this.size++;
    this.slot[i] = slot;
    this.score[i] = score;
  }

  /** Candidate i's declared CPU and memory fractions and allocation count, before pick(). */
  describe(i: number, declaredCpu: number, declaredMem: number, allocations: number): void {
    this.declCpu[i] = declaredCpu;
    this.declMem[i] = declaredMem;
    this.allocs[i] = allocations;
  }

  /** The index of the chosen candidate (-1 when empty); read it with slotAt/scoreAt. */
  pick(rng: Prng): number {
    const n = this.size;
    const { declCpu, declMem, score, allocs, group, winner, ties } = this;
    for (let i = 0; i < n; i++) {
      let g = i;
      for (let j = 0; j < i; j++) {
        if (declCpu[j] === declCpu[i] && declMem[j] === declMem[i]) {
          g = group[j]!;
          break;
        }
      }
      group[i] = g;
      if (g === i) {
        winner[i] = i;
        ties[i] = 1;
        continue;
      }
      const w = winner[g]!;
      if (allocs[i]! < allocs[w]! || (allocs[i] === allocs[w] && score[i]! > score[w]!)) {
        winner[g] = i;
        ties[g] = 1;
      } else if (allocs[i] === allocs[w] && score[i] === score[w] && rng.int(++ties[g]!) === 0) {
        winner[g] = i;
      }
    }
    let best = -1;
    let bestTies = 0;
    for (let g = 0; g < n; g++) {
      if (group[g] !== g) continue;
      const w = winner[g]!;
      if (best < 0 || score[w]! > score[best]!) {
        best = w;
        bestTies = 1;
      } else if (score[w] === score[best] && rng.int(++bestTies) === 0) {
        best = w;
      }
    }
    return best;
  }

  slotAt(i: number): number {
    return this.slot[i]!;
  }

  scoreAt(i: number): number {
    return this.score[i]!;
  }

  private grow(): void {
    const n = this.slot.length * 2;
    const grown = <T extends Int32Array | Float64Array>(a: T, make: (n: number) => T): T => {
      const b = make(n);
      b.set(a);
      return b;
    };
    this.slot = grown(this.slot, (k) => new Int32Array(k));
    this.declCpu = grown(this.declCpu, (k) => new Float64Array(k));
    this.declMem = grown(this.declMem, (k) => new Float64Array(k));
    this.score = grown(this.score, (k) => new Float64Array(k));
    this.allocs = grown(this.allocs, (k) => new Float64Array(k));
    this.group = new Int32Array(n);
    this.winner = new Int32Array(n);
    this.ties = new Int32Array(n);
  }
}
