import { describe, expect, it } from '@jest/globals';
import { PlacementEngine } from './engine.js';
import type { PlacementNode, PlacementRequest, PlacementResult, RejectionReason } from './types.js';

const GiB = 1024 ** 3;
const NOW = 1_700_000_000_000;

function node(id: string, over: Partial<PlacementNode> = {}): PlacementNode {
  return {
    id,
    name: `name-${id}`,
    up: true,
    eligible: true,
    drivers: ['process'],
    labels: {},
    capacity: { cpuMillis: 4000, memoryBytes: 8 * GiB },
    measured: { cpuUtilization: 0, memoryUsedBytes: 0 },
    avoidUntilMs: 0,
    ...over,
  };
}

let nextWorkload = 0;
function request(over: Partial<PlacementRequest> = {}): PlacementRequest {
  return {
    workloadId: `w${nextWorkload++}`,
    driver: 'process',
    resources: { cpuMillis: 100, memoryBytes: 256 * 1024 ** 2 },
    constraints: {},
    ...over,
  };
}

function engineWith(nodes: PlacementNode[], options: ConstructorParameters<typeof PlacementEngine>[0] = {}) {
  const engine = new PlacementEngine({ seed: 1, ...options });
  for (const n of nodes) engine.upsertNode(n);
  return engine;
}

function expectFailure(result: PlacementResult) {
  if (result.ok) throw new Error(`expected a failed placement, got node ${result.nodeId}`);
  return result;
}

function expectSuccess(result: PlacementResult) {
  if (!result.ok) throw new Error(`expected a placement, got "${result.reason}"`);
  return result;
}

/** Places and reserves `count` requests, returning how many landed on each node id. */
function placeMany(engine: PlacementEngine, count: number, over: Partial<PlacementRequest> = {}) {
  const perNode = new Map<string, number>();
  const order: string[] = [];
  for (let i = 0; i < count; i++) {
    const req = request(over);
    const r = expectSuccess(engine.place(req, NOW));
    engine.reserve(r.nodeId, req.resources);
    perNode.set(r.nodeId, (perNode.get(r.nodeId) ?? 0) + 1);
    order.push(r.nodeId);
  }
  return { perNode, order };
}

describe('PlacementEngine feasibility and explanations', () => {
  it('says "no nodes registered" when it is empty', () => {
    expect(new PlacementEngine().place(request(), NOW)).toEqual({
      ok: false,
      reason: 'no nodes registered',
      rejections: {},
      examined: 0,
    });
  });

  it.each<[string, Partial<PlacementNode>, Partial<PlacementRequest>, RejectionReason, string]>([
    ['a down node', { up: false }, {}, 'down', '1 node: 1 down'],
    ['a drained node', { eligible: false }, {}, 'ineligible', '1 node: 1 ineligible'],
    ['an open circuit breaker', { avoidUntilMs: NOW + 1 }, {}, 'avoided', '1 node: 1 avoided after failed starts'],
    [
      'a missing label',
      { labels: { zone: 'a' } },
      { constraints: { zone: 'b' } },
      'constraint',
      '1 node: 1 did not match constraints',
    ],
    ['too little free cpu', {}, { resources: { cpuMillis: 4001, memoryBytes: 1 } }, 'cpu', '1 node: 1 lacked cpu'],
    [
      'too little free memory',
      {},
      { resources: { cpuMillis: 1, memoryBytes: 8 * GiB + 1 } },
      'memory',
      '1 node: 1 lacked memory',
    ],
  ])('rejects %s and explains it', (_what, nodeOver, reqOver, reason, text) => {
    const engine = engineWith([node('a', nodeOver)]);
    const r = expectFailure(engine.place(request(reqOver), NOW));
    expect(r.reason).toBe(text);
    expect(r.rejections).toEqual({ [reason]: 1 });
    expect(r.examined).toBe(1);
  });

  it('accepts a node whose circuit breaker has closed and one with exactly enough room', () => {
    const engine = engineWith([node('a', { avoidUntilMs: NOW })]);
    const r = engine.place(request({ resources: { cpuMillis: 4000, memoryBytes: 8 * GiB } }), NOW);
    expect(r).toMatchObject({ ok: true, nodeId: 'a', scored: 1, examined: 1 });
  });

  it('counts reasons in descending order: "3 nodes: 2 lacked memory, 1 down"', () => {
    const small = { capacity: { cpuMillis: 4000, memoryBytes: GiB } };
    const engine = engineWith([node('a', small), node('b', { up: false }), node('c', small)]);
    const r = expectFailure(engine.place(request({ resources: { cpuMillis: 100, memoryBytes: 2 * GiB } }), NOW));
    expect(r.reason).toBe('3 nodes: 2 lacked memory, 1 down');
    expect(r.rejections).toEqual({ memory: 2, down: 1 });
    expect(r.examined).toBe(3);
  });

  it('names the requested driver when only some nodes have it', () => {
    const engine = engineWith([node('a', { drivers: ['process', 'docker'], up: false }), node('b'), node('c')]);
    const r = expectFailure(engine.place(request({ driver: 'docker' }), NOW));
    expect(r.reason).toBe('3 nodes: 2 lacked driver "docker", 1 down');
  });

  it('says "no node has docker" when no node has the driver at all', () => {
    const engine = engineWith([node('a', { up: false }), node('b')]);
    const r = expectFailure(engine.place(request({ driver: 'docker' }), NOW));
    expect(r.reason).toBe('2 nodes: no node has docker');
    expect(r.rejections).toEqual({ down: 1, driver: 1 });
  });

  it('counts every other node as "not the requested node" for a pinned request', () => {
    const engine = engineWith([node('a'), node('b', { capacity: { cpuMillis: 4000, memoryBytes: GiB } }), node('c')]);
    const r = expectFailure(
      engine.place(request({ nodeName: 'name-b', resources: { cpuMillis: 1, memoryBytes: 2 * GiB } }), NOW),
    );
    expect(r.reason).toBe('3 nodes: 2 not the requested node, 1 lacked memory');
    expect(r.rejections).toEqual({ node_name: 2, memory: 1 });
  });

  it('places a pinned request on that node only, even if it scores worse', () => {
    const engine = engineWith([node('a'), node('b', { measured: { cpuUtilization: 0.9, memoryUsedBytes: 0 } })]);
    for (let i = 0; i < 5; i++) {
      expect(engine.place(request({ nodeName: 'name-b', strategy: 'spread' }), NOW)).toMatchObject({
        ok: true,
        nodeId: 'b',
        examined: 1,
      });
    }
  });

  it('says which pinned node name is not registered', () => {
    const engine = engineWith([node('a')]);
    expect(expectFailure(engine.place(request({ nodeName: 'x' }), NOW)).reason).toBe('node "x" is not registered');
  });

  it('starts each walk where the last one stopped, so successive samples are disjoint', () => {
    // 64 equal nodes, a sample of 6 (log2 64): ten decisions read ten disjoint windows of the ring,
    // so they pick ten different nodes even with nothing reserved between them.
    const engine = engineWith(Array.from({ length: 64 }, (_, i) => node(`n${i}`)));
    const picked = new Set<string>();
    for (let i = 0; i < 10; i++) {
      const r = engine.place(request(), NOW);
      if (!r.ok) throw new Error(r.reason);
      expect(r.examined).toBe(6);
      picked.add(r.nodeId);
    }
    expect(picked.size).toBe(10);
  });

  it('walks every node before giving up, wherever the walk starts', () => {
    for (const n of [1, 2, 7, 12, 97, 210]) {
      const engine = engineWith(Array.from({ length: n }, (_, i) => node(`n${i}`, { up: i % 2 === 0 })));
      const r = expectFailure(engine.place(request({ resources: { cpuMillis: 5000, memoryBytes: 1 } }), NOW));
      expect(r.examined).toBe(n);
      const down = Math.floor(n / 2);
      expect(r.rejections).toEqual(down > 0 ? { down, cpu: n - down } : { cpu: n });
    }
  });

  it('keeps cumulative rejection counters across decisions', () => {
    const engine = engineWith([node('a', { up: false }), node('b', { eligible: false })]);
    engine.place(request(), NOW);
    engine.place(request(), NOW);
    expect(engine.rejectionCounts()).toEqual({
      node_name: 0,
      down: 2,
      ineligible: 2,
      avoided: 0,
      driver: 0,
      constraint: 0,
      cpu: 0,
      memory: 0,
      ports: 0,
    });
  });
});

describe('PlacementEngine ranking', () => {
  it('spreads 30 equal workloads over 3 equal nodes about evenly', () => {
    const engine = engineWith([node('a'), node('b'), node('c')], { defaultStrategy: 'spread' });
    const { perNode } = placeMany(engine, 30);
    for (const id of ['a', 'b', 'c']) {
      expect(perNode.get(id)).toBeGreaterThanOrEqual(8);
      expect(perNode.get(id)).toBeLessThanOrEqual(12);
    }
  });

  it('bin-packs: fills one node before starting the next', () => {
    const cap = { capacity: { cpuMillis: 1000, memoryBytes: 8 * GiB } };
    const engine = engineWith([node('a', cap), node('b', cap), node('c', cap)], { defaultStrategy: 'binpack' });
    const { order } = placeMany(engine, 12, { resources: { cpuMillis: 250, memoryBytes: GiB } });
    const groups = [order.slice(0, 4), order.slice(4, 8), order.slice(8, 12)];
    for (const g of groups) expect(new Set(g).size).toBe(1);
    expect(new Set(groups.map((g) => g[0])).size).toBe(3);
    expect(expectFailure(engine.place(request({ resources: { cpuMillis: 250, memoryBytes: 1 } }), NOW)).reason).toBe(
      '3 nodes: 3 lacked cpu',
    );
  });

  it('is load-aware: spread avoids a node with high measured CPU when reservations are equal', () => {
    const engine = engineWith(
      [node('a'), node('hot', { measured: { cpuUtilization: 0.9, memoryUsedBytes: 0 } }), node('c')],
      { defaultStrategy: 'spread' },
    );
    for (const id of ['a', 'hot', 'c']) engine.reserve(id, { cpuMillis: 1000, memoryBytes: GiB });
    const { perNode } = placeMany(engine, 10);
    expect(perNode.get('hot')).toBeUndefined();
  });

  it('follows measured use as heartbeats update it (updateMeasured), keeping reservations', () => {
    const engine = engineWith([node('a'), node('b')], { defaultStrategy: 'spread' });
    engine.reserve('b', { cpuMillis: 500, memoryBytes: GiB });
    engine.updateMeasured('a', { cpuUtilization: 0.95, memoryUsedBytes: 0 });
    expect(engine.getNode('a')!.measured.cpuUtilization).toBe(0.95);
    expect(engine.reservedOf('b')).toEqual({ cpuMillis: 500, memoryBytes: GiB, hostPorts: 0 });
    expect(engine.place(request(), NOW)).toMatchObject({ ok: true, nodeId: 'b' });
    engine.updateMeasured('a', { cpuUtilization: 0, memoryUsedBytes: 0 });
    expect(engine.place(request(), NOW)).toMatchObject({ ok: true, nodeId: 'a' });
    engine.updateMeasured('unknown', { cpuUtilization: 1, memoryUsedBytes: 1 });
    expect(engine.size).toBe(2);
  });

  it('lets the request choose its strategy over the default', () => {
    const engine = engineWith([node('a'), node('b')], { defaultStrategy: 'binpack' });
    engine.reserve('a', { cpuMillis: 2000, memoryBytes: 4 * GiB });
    expect(engine.place(request(), NOW)).toMatchObject({ ok: true, nodeId: 'a' });
    expect(engine.place(request({ strategy: 'spread' }), NOW)).toMatchObject({ ok: true, nodeId: 'b' });
  });
});

describe('PlacementEngine limit stage', () => {
  const cluster = (n: number) => engineWith(Array.from({ length: n }, (_, i) => node(`n${i}`)));

  it.each([
    [4, 3], // ceil(log2 4) = 2, raised to minSample 3
    [1000, 10],
    [100_000, 17],
  ])('scores about log2 N candidates among %i nodes (%i)', (n, expected) => {
    const engine = cluster(n);
    for (let i = 0; i < 20; i++) {
      const r = expectSuccess(engine.place(request(), NOW));
      expect(r.scored).toBe(expected);
      expect(r.examined).toBe(expected);
    }
  });

  it('scores exactly 2 candidates for batch work (power of two choices)', () => {
    const engine = cluster(100_000);
    for (let i = 0; i < 20; i++) expect(expectSuccess(engine.place(request({ batch: true }), NOW)).scored).toBe(2);
  });

  it('examines only a few more nodes than it scores when some are infeasible', () => {
    const engine = engineWith(Array.from({ length: 10_000 }, (_, i) => node(`n${i}`, { up: i % 20 !== 0 })));
    let examined = 0;
    for (let i = 0; i < 100; i++) examined += expectSuccess(engine.place(request(), NOW)).examined;
    expect(examined / 100).toBeLessThan(14 * 1.2);
  });
});

describe('PlacementEngine replay', () => {
  const run = (seed: number) => {
    const engine = engineWith(
      Array.from({ length: 500 }, (_, i) => node(`n${i}`, { capacity: { cpuMillis: 2000 + i, memoryBytes: 8 * GiB } })),
      { seed, defaultStrategy: 'spread' },
    );
    return placeMany(engine, 200).order;
  };

  it('replays the same decisions from the same seed, nodes and requests', () => {
    expect(run(42)).toEqual(run(42));
  });

  it('decides differently with another seed', () => {
    expect(run(42)).not.toEqual(run(43));
  });

  it('reports the seed it drew when none was given', () => {
    expect(Number.isInteger(new PlacementEngine().seed)).toBe(true);
  });
});

describe('PlacementEngine nodes and reservations', () => {
  it('accounts reservations and never releases below zero', () => {
    const engine = engineWith([node('a')]);
    engine.reserve('a', { cpuMillis: 3000, memoryBytes: 2 * GiB });
    engine.reserve('a', { cpuMillis: 500, memoryBytes: GiB });
    expect(engine.reservedOf('a')).toEqual({ cpuMillis: 3500, memoryBytes: 3 * GiB, hostPorts: 0 });
    expect(expectFailure(engine.place(request({ resources: { cpuMillis: 600, memoryBytes: 1 } }), NOW)).reason).toBe(
      '1 node: 1 lacked cpu',
    );
    engine.release('a', { cpuMillis: 500, memoryBytes: GiB });
    expect(engine.place(request({ resources: { cpuMillis: 600, memoryBytes: 1 } }), NOW).ok).toBe(true);
    engine.release('a', { cpuMillis: 10_000, memoryBytes: 10 * GiB });
    expect(engine.reservedOf('a')).toEqual({ cpuMillis: 0, memoryBytes: 0, hostPorts: 0 });
    expect(engine.reservedOf('unknown')).toEqual({ cpuMillis: 0, memoryBytes: 0, hostPorts: 0 });
  });

  it('place() does not reserve', () => {
    const engine = engineWith([node('a')]);
    engine.place(request(), NOW);
    expect(engine.reservedOf('a')).toEqual({ cpuMillis: 0, memoryBytes: 0, hostPorts: 0 });
  });

  it('keeps reservations when a node is updated, and ones booked before it registers', () => {
    const engine = engineWith([node('a')]);
    engine.reserve('a', { cpuMillis: 1000, memoryBytes: GiB });
    engine.reserve('late', { cpuMillis: 3900, memoryBytes: GiB });
    engine.upsertNode(node('a', { name: 'renamed', labels: { zone: 'b' } }));
    engine.upsertNode(node('late'));
    expect(engine.size).toBe(2);
    expect(engine.getNode('a')?.name).toBe('renamed');
    expect(engine.reservedOf('a')).toEqual({ cpuMillis: 1000, memoryBytes: GiB, hostPorts: 0 });
    expect(engine.place(request({ nodeName: 'renamed' }), NOW)).toMatchObject({ ok: true, nodeId: 'a' });
    expect(engine.place(request({ nodeName: 'name-a' }), NOW).ok).toBe(false);
    expect(
      expectFailure(
        engine.place(request({ nodeName: 'name-late', resources: { cpuMillis: 200, memoryBytes: 1 } }), NOW),
      ).reason,
    ).toBe('2 nodes: 1 not the requested node, 1 lacked cpu');
  });

  it('removes nodes (and their reservations) and keeps placing on the rest', () => {
    const engine = engineWith(Array.from({ length: 10 }, (_, i) => node(`n${i}`)));
    engine.reserve('n3', { cpuMillis: 100, memoryBytes: 1 });
    for (const id of ['n0', 'n3', 'n9', 'n5']) engine.removeNode(id);
    engine.removeNode('never-registered');
    expect(engine.size).toBe(6);
    expect(engine.getNode('n3')).toBeUndefined();
    expect(engine.getNode('n4')?.id).toBe('n4');
    expect(engine.reservedOf('n3')).toEqual({ cpuMillis: 0, memoryBytes: 0, hostPorts: 0 });
    const { perNode } = placeMany(engine, 60, { strategy: 'spread' });
    expect([...perNode.keys()].sort()).toEqual(['n1', 'n2', 'n4', 'n6', 'n7', 'n8']);
    expect(expectFailure(engine.place(request({ nodeName: 'name-n3' }), NOW)).reason).toBe(
      'node "name-n3" is not registered',
    );
    for (const id of ['n1', 'n2', 'n4', 'n6', 'n7', 'n8']) engine.removeNode(id);
    expect(expectFailure(engine.place(request(), NOW)).reason).toBe('no nodes registered');
  });

  it.each([
    [{ reservedWeight: 1.5 }, /reservedWeight/],
    [{ minSample: 0 }, /minSample/],
    [{ seed: 1.5 }, /seed/],
  ])('rejects bad options %j', (options, message) => {
    expect(() => new PlacementEngine(options)).toThrow(message);
  });
});
