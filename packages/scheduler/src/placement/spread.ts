// Spread's selection over the scored sample: among candidates whose declared load ties, the one
// with the fewest allocations wins. Without it, workloads that declare nothing (every declared
// fraction 0) are told apart only by measured use, which lags a heartbeat: a burst of them all
// landed on whichever node looked idlest (30 of 30 on one of 3 nodes). The allocation count moves
// with every reservation, so such a burst is dealt out evenly. Declared load that differs is still
// ranked by the blended score, so spread stays load-aware.
import type { Prng } from './random.js';

/**
 * The sample of one spread decision. The engine adds each scored candidate, then describes it:
 * its declared load per resource as (reserved + request, capacity), and its allocation count (read
 * once per decision, not in the hot loop). Two candidates' declared load ties when both fractions
 * are equal, compared by cross-multiplying (no division): nothing declared on either, or equal
 * reservations on equal nodes. pick() keeps each tied group's candidate with the fewest
 * allocations (then the best score) and returns the best-scoring of those; equal candidates are
 * chosen between by the engine's PRNG (reservoir sampling), so a decision replays from the seed.
 */
export class SpreadSample {
  private slot = new Int32Array(32);
  private score = new Float64Array(32);
  private cpu = new Float64Array(32);
  private cpuCap = new Float64Array(32);
  private mem = new Float64Array(32);
  private memCap = new Float64Array(32);
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

  /** Candidate i's declared load (reserved + request, of capacity) and allocations, before pick(). */
  describe(i: number, cpu: number, cpuCap: number, mem: number, memCap: number, allocations: number): void {
    this.cpu[i] = cpu;
    this.cpuCap[i] = cpuCap;
    this.mem[i] = mem;
    this.memCap[i] = memCap;
    this.allocs[i] = allocations;
  }

  /** The index of the chosen candidate (-1 when empty); read it with slotAt/scoreAt. */
  pick(rng: Prng): number {
    const n = this.size;
    if (n === 0) return -1;
    const { score, allocs } = this;
    // The common case in O(n): a unique best score whose node no tied node undercuts in
    // allocations is its group's pick and beats every other group's.
    let m = 0;
    let unique = true;
    for (let i = 1; i < n; i++) {
      if (score[i]! > score[m]!) {
        m = i;
        unique = true;
      } else if (score[i] === score[m]) {
        unique = false;
      }
    }
    if (unique) {
      let undercut = false;
      for (let i = 0; i < n && !undercut; i++) undercut = allocs[i]! < allocs[m]! && this.sameLoad(i, m);
      if (!undercut) return m;
    }
    return this.pickByGroups(rng);
  }

  slotAt(i: number): number {
    return this.slot[i]!;
  }

  scoreAt(i: number): number {
    return this.score[i]!;
  }

  /** Equal declared fractions of CPU and memory: a/b = c/d as a·d = c·b (exact for equal ratios). */
  private sameLoad(i: number, j: number): boolean {
    const { cpu, cpuCap, mem, memCap } = this;
    return cpu[i]! * cpuCap[j]! === cpu[j]! * cpuCap[i]! && mem[i]! * memCap[j]! === mem[j]! * memCap[i]!;
  }

  /** The general case: each group's pick, then the best score among them. O(n²) for n ≤ ~17. */
  private pickByGroups(rng: Prng): number {
    const n = this.size;
    const { score, allocs, group, winner, ties } = this;
    for (let i = 0; i < n; i++) {
      let g = i;
      for (let j = 0; j < i; j++) {
        if (this.sameLoad(i, j)) {
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

  private grow(): void {
    const n = this.slot.length * 2;
    const f64 = (a: Float64Array) => {
      const b = new Float64Array(n);
      b.set(a);
      return b;
    };
    const slot = new Int32Array(n);
    slot.set(this.slot);
    this.slot = slot;
    this.score = f64(this.score);
    this.cpu = f64(this.cpu);
    this.cpuCap = f64(this.cpuCap);
    this.mem = f64(this.mem);
    this.memCap = f64(this.memCap);
    this.allocs = f64(this.allocs);
    this.group = new Int32Array(n);
    this.winner = new Int32Array(n);
    this.ties = new Int32Array(n);
  }
}
