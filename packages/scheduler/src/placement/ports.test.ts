// Host ports as a placement resource: a node offers its docker port range, a workload needs one
// port per published port; reservations book and release them with CPU and memory.
import { describe, expect, it } from '@jest/globals';
import { PlacementEngine } from './engine.js';
import type { PlacementNode, PlacementRequest, PlacementResult } from './types.js';

const GiB = 1024 ** 3;
const NOW = 1_700_000_000_000;

function node(id: string, hostPorts: number, over: Partial<PlacementNode> = {}): PlacementNode {
  return {
    id,
    name: `name-${id}`,
    up: true,
    eligible: true,
    drivers: ['process', 'docker'],
    labels: {},
    capacity: { cpuMillis: 4000, memoryBytes: 8 * GiB, hostPorts },
    measured: { cpuUtilization: 0, memoryUsedBytes: 0 },
    avoidUntilMs: 0,
    ...over,
  };
}

function request(hostPorts: number, over: Partial<PlacementRequest> = {}): PlacementRequest {
  return {
    workloadId: 'w',
    driver: 'docker',
    resources: { cpuMillis: 100, memoryBytes: 64 * 1024 ** 2, hostPorts },
    constraints: {},
    ...over,
  };
}

function engineWith(nodes: PlacementNode[], seed = 1) {
  const engine = new PlacementEngine({ seed, defaultStrategy: 'spread' });
  for (const n of nodes) engine.upsertNode(n);
  return engine;
}

function expectFailure(result: PlacementResult) {
  if (result.ok) throw new Error(`expected a failed placement, got node ${result.nodeId}`);
  return result;
}

/** Places and books a request, returning the node id. */
function book(engine: PlacementEngine, req: PlacementRequest): string {
  const r = engine.place(req, NOW);
  if (!r.ok) throw new Error(`expected a placement, got "${r.reason}"`);
  engine.reserve(r.nodeId, req.resources);
  return r.nodeId;
}

describe('PlacementEngine host ports', () => {
  it('places port-publishing workloads until the range is booked, then explains why not', () => {
    const engine = engineWith([node('a', 2)]);
    book(engine, request(1));
    book(engine, request(1));
    expect(engine.reservedOf('a').hostPorts).toBe(2);
    const r = expectFailure(engine.place(request(1), NOW));
    expect(r.reason).toBe('1 node: 1 lacked host ports');
    expect(r.rejections).toEqual({ ports: 1 });
    expect(engine.rejectionCounts().ports).toBe(1);
  });

  it('needs as many free ports as the workload publishes', () => {
    const engine = engineWith([node('a', 3)]);
    book(engine, request(2));
    expect(expectFailure(engine.place(request(2), NOW)).reason).toBe('1 node: 1 lacked host ports');
    expect(engine.place(request(1), NOW).ok).toBe(true);
  });

  it('ignores ports for workloads that publish none, even on a node without a range', () => {
    const engine = engineWith([node('a', 0)]);
    expect(engine.place(request(0), NOW).ok).toBe(true);
    expect(engine.place(request(0, { driver: 'process' }), NOW).ok).toBe(true);
    expect(expectFailure(engine.place(request(1), NOW)).reason).toBe('1 node: 1 lacked host ports');
  });

  it('counts ports after the other checks: "3 nodes: 2 lacked host ports, 1 did not match constraints"', () => {
    const web = { labels: { pool: 'web' } };
    const engine = engineWith([node('a', 1, web), node('b', 1, web), node('c', 5, { labels: { pool: 'other' } })]);
    for (const id of ['a', 'b']) engine.reserve(id, { cpuMillis: 0, memoryBytes: 0, hostPorts: 1 });
    const r = expectFailure(engine.place(request(1, { constraints: { pool: 'web' } }), NOW));
    expect(r.reason).toBe('3 nodes: 2 lacked host ports, 1 did not match constraints');
    expect(r.rejections).toEqual({ ports: 2, constraint: 1 });
    // A node short of memory says so, not ports: the cheaper, earlier check names it.
    const small = engineWith([node('m', 0, { capacity: { cpuMillis: 4000, memoryBytes: 1, hostPorts: 0 } })]);
    expect(expectFailure(small.place(request(1), NOW)).rejections).toEqual({ memory: 1 });
  });

  it('frees ports on release, never below zero', () => {
    const engine = engineWith([node('a', 1)]);
    const req = request(1);
    book(engine, req);
    expect(engine.place(request(1), NOW).ok).toBe(false);
    engine.release('a', req.resources);
    expect(engine.reservedOf('a')).toEqual({ cpuMillis: 0, memoryBytes: 0, hostPorts: 0 });
    expect(engine.place(request(1), NOW).ok).toBe(true);
    engine.release('a', { cpuMillis: 0, memoryBytes: 0, hostPorts: 5 });
    expect(engine.reservedOf('a').hostPorts).toBe(0);
  });

  it('keeps ports booked before a node registers and across updates of its range', () => {
    const engine = engineWith([]);
    engine.reserve('late', { cpuMillis: 100, memoryBytes: 1, hostPorts: 2 });
    expect(engine.reservedOf('late')).toEqual({ cpuMillis: 100, memoryBytes: 1, hostPorts: 2 });
    engine.upsertNode(node('late', 2));
    expect(engine.reservedOf('late').hostPorts).toBe(2);
    expect(engine.place(request(1), NOW).ok).toBe(false);
    engine.upsertNode(node('late', 3)); // the agent came back with a wider --docker-ports
    expect(engine.reservedOf('late').hostPorts).toBe(2);
    expect(engine.place(request(1), NOW).ok).toBe(true);
  });

  it('keeps each node its own ports as slots move (shuffled inserts, removals)', () => {
    const engine = engineWith(Array.from({ length: 50 }, (_, i) => node(`n${i}`, 1)));
    for (let i = 0; i < 50; i += 2) engine.reserve(`n${i}`, { cpuMillis: 0, memoryBytes: 0, hostPorts: 1 });
    for (let i = 0; i < 10; i++) engine.removeNode(`n${i * 5}`); // 5 booked and 5 free ones go
    for (let i = 0; i < 50; i++) {
      if (i % 5 === 0) continue;
      expect(engine.reservedOf(`n${i}`).hostPorts).toBe(i % 2 === 0 ? 1 : 0);
    }
    // 20 nodes left with a free port: exactly 20 more port workloads fit, each on one of them.
    const used = new Set<string>();
    for (let i = 0; i < 20; i++) used.add(book(engine, request(1)));
    expect([...used].every((id) => Number(id.slice(1)) % 2 === 1)).toBe(true);
    expect(used.size).toBe(20);
    expect(expectFailure(engine.place(request(1), NOW)).reason).toBe('40 nodes: 40 lacked host ports');
  });
});
