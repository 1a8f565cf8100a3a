// Spread balances by allocation count when declared load ties (issue 11: 30 workloads declaring
// nothing all landed on one of 3 nodes, told apart only by lagging measured use).
import { describe, expect, it } from '@jest/globals';
import { PlacementEngine } from './engine.js';
import { Prng } from './random.js';
import { SpreadSample } from './spread.js';
import type { PlacementNode, PlacementRequest, Strategy } from './types.js';

const GiB = 1024 ** 3;
const NOW = 1_700_000_000_000;
const NOTHING = { cpuMillis: 0, memoryBytes: 0 };

function node(id: string, cpuUtilization = 0, over: Partial<PlacementNode> = {}): PlacementNode {
  return {
    id,
    name: `name-${id}`,
    up: true,
    eligible: true,
    drivers: ['process'],
    labels: {},
    capacity: { cpuMillis: 4000, memoryBytes: 8 * GiB },
    measured: { cpuUtilization, memoryUsedBytes: Math.round(cpuUtilization * GiB) },
    avoidUntilMs: 0,
    ...over,
  };
}

function request(over: Partial<PlacementRequest> = {}): PlacementRequest {
  return { workloadId: 'w', driver: 'process', resources: NOTHING, constraints: {}, ...over };
}

/** Places and books `count` requests; returns the node ids in order. */
function placeMany(engine: PlacementEngine, count: number, over: Partial<PlacementRequest> = {}): string[] {
  const order: string[] = [];
  for (let i = 0; i < count; i++) {
    const req = request(over);
    const r = engine.place(req, NOW);
    if (!r.ok) throw new Error(r.reason);
    engine.reserve(r.nodeId, req.resources);
    order.push(r.nodeId);
  }
  return order;
}

function tally(order: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const id of order) out[id] = (out[id] ?? 0) + 1;
  return out;
}

/** Three nodes told apart only by slightly different measured use, as agents on one host are. */
function noisyTrio(strategy: Strategy, seed = 1, minSample?: number): PlacementEngine {
  const engine = new PlacementEngine({ seed, defaultStrategy: strategy, ...(minSample && { minSample }) });
  engine.upsertNode(node('a', 0.3));
  engine.upsertNode(node('b', 0.32));
  engine.upsertNode(node('c', 0.31));
  return engine;
}

describe('spread with declared load tied', () => {
  it('deals 30 workloads that declare nothing over 3 nodes 10/10/10', () => {
    for (const seed of [1, 2, 3]) {
      const counts = tally(placeMany(noisyTrio('spread', seed), 30));
      expect(counts).toEqual({ a: 10, b: 10, c: 10 });
    }
  });

  it('counts every allocation, whatever it declared, and forgets released ones', () => {
    const engine = noisyTrio('spread');
    for (let i = 0; i < 4; i++) engine.reserve('a', NOTHING);
    expect(engine.allocationsOf('a')).toBe(4);
    expect(tally(placeMany(engine, 8))).toEqual({ b: 4, c: 4 });
    for (let i = 0; i < 6; i++) engine.release('a', NOTHING);
    expect(engine.allocationsOf('a')).toBe(0); // never below zero
    expect(tally(placeMany(engine, 4))).toEqual({ a: 4 });
  });

  it('prefers fewer allocations over lower measured use when declared load ties', () => {
    const engine = new PlacementEngine({ seed: 1, defaultStrategy: 'spread' });
    engine.upsertNode(node('idle'));
    engine.upsertNode(node('busy', 0.8));
    engine.reserve('idle', NOTHING);
    expect(engine.place(request(), NOW)).toMatchObject({ ok: true, nodeId: 'busy' });
  });

  it('still ranks by the blended score when declared load differs (load-aware)', () => {
    const engine = new PlacementEngine({ seed: 1, defaultStrategy: 'spread' });
    engine.upsertNode(node('a'));
    engine.upsertNode(node('hot', 0.9));
    engine.reserve('a', { cpuMillis: 100, memoryBytes: 0 });
    // Declared 100m of 4000 vs nothing: not a tie, and 'hot' is busy, so 'a' wins despite its allocation.
    const order = placeMany(engine, 5, { resources: { cpuMillis: 100, memoryBytes: 0 } });
    expect(order.every((id) => id === 'a')).toBe(true);
  });

  it('deals a new, bigger node its share when nothing is declared', () => {
    const engine = noisyTrio('spread', 1, 4); // every node in the sample
    placeMany(engine, 30);
    engine.upsertNode(node('big', 0.5, { capacity: { cpuMillis: 16_000, memoryBytes: 64 * GiB } }));
    expect(tally(placeMany(engine, 10))).toEqual({ big: 10 });
  });

  it('leaves bin-packing alone: 30 undeclared workloads pack onto the busiest node', () => {
    expect(tally(placeMany(noisyTrio('binpack'), 30))).toEqual({ b: 30 });
  });

  it('replays from a seed, and breaks exact ties differently with another seed', () => {
    const run = (seed: number) => {
      const engine = new PlacementEngine({ seed, defaultStrategy: 'spread' });
      for (let i = 0; i < 40; i++) engine.upsertNode(node(`n${i}`));
      return placeMany(engine, 200);
    };
    expect(run(7)).toEqual(run(7));
    expect(run(7)).not.toEqual(run(8));
    const counts = Object.values(tally(run(7)));
    expect(counts.reduce((a, b) => a + b, 0)).toBe(200);
  });
});

describe('SpreadSample', () => {
  // [declared cpu, declared mem, score, allocations]
  type Candidate = [number, number, number, number];

  function pickFrom(candidates: Candidate[], seed = 1): number {
    const sample = new SpreadSample();
    candidates.forEach(([, , score], slot) => sample.add(slot, score));
    candidates.forEach(([c, m, , allocs], i) => sample.describe(i, c, 1, m, 1, allocs));
    const i = sample.pick(new Prng(seed));
    return i < 0 ? -1 : sample.slotAt(i);
  }

  it('returns -1 when empty', () => {
    expect(pickFrom([])).toBe(-1);
  });

  it('keeps the fewest allocations of each tied group, then the best score across groups, in any order', () => {
    const x: Candidate = [0, 0, 0.9, 5]; // tied with z, more allocations: out
    const z: Candidate = [0, 0, 0.6, 3]; // its group's pick, but scores below p
    const p: Candidate = [0.25, 0.1, 0.7, 0]; // a group of its own
    const orders: Candidate[][] = [
      [x, z, p],
      [x, p, z],
      [z, x, p],
      [z, p, x],
      [p, x, z],
      [p, z, x],
    ];
    for (const order of orders) expect(order[pickFrom(order)]).toBe(p);
  });

  it('breaks a tie in allocations by score, and a full tie by the seeded PRNG', () => {
    expect(
      pickFrom([
        [0, 0, 0.5, 2],
        [0, 0, 0.8, 2],
        [0, 0, 0.9, 3],
      ]),
    ).toBe(1);
    const same: Candidate[] = Array.from({ length: 8 }, () => [0, 0, 0.5, 1]);
    const picks = new Set([1, 2, 3, 4, 5, 6, 7, 8].map((seed) => pickFrom(same, seed)));
    expect(picks.size).toBeGreaterThan(1);
    expect(pickFrom(same, 3)).toBe(pickFrom(same, 3));
  });

  it('agrees with the rule written plainly, on random samples with many ties in declared load', () => {
    const random = new Prng(99);
    for (let round = 0; round < 500; round++) {
      const n = 1 + random.int(20);
      // Few distinct loads and allocation counts, so groups are common; scores all distinct.
      const candidates: Candidate[] = Array.from({ length: n }, () => [
        random.int(3) / 4,
        random.int(2) / 2,
        random.next(),
        random.int(4),
      ]);
      const groups = new Map<string, number[]>();
      candidates.forEach(([c, m], i) => groups.set(`${c}/${m}`, [...(groups.get(`${c}/${m}`) ?? []), i]));
      const picks = [...groups.values()].map((members) =>
        members.reduce((a, b) => {
          const [, , sa, aa] = candidates[a]!;
          const [, , sb, ab] = candidates[b]!;
          return ab < aa || (ab === aa && sb > sa) ? b : a;
        }),
      );
      const expected = picks.reduce((a, b) => (candidates[b]![2] > candidates[a]![2] ? b : a));
      expect(pickFrom(candidates)).toBe(expected);
    }
  });

  it('grows past its initial size', () => {
    const many: Candidate[] = Array.from({ length: 100 }, (_, i) => [0, 0, 0.5, 100 - i]);
    expect(pickFrom(many)).toBe(99);
  });
});
