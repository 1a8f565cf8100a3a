import { describe, expect, it } from '@jest/globals';
import { PlacementEngine } from './engine.js';
import type { FitRequest, PlacementNode } from './types.js';

const GiB = 1024 ** 3;
const NOW = 1_700_000_000_000;

function node(over: Partial<PlacementNode> = {}): PlacementNode {
  return {
    id: 'n1',
    name: 'node-1',
    up: true,
    eligible: true,
    drivers: ['process'],
    labels: { zone: 'a' },
    capacity: { cpuMillis: 4000, memoryBytes: 8 * GiB, hostPorts: 2 },
    measured: { cpuUtilization: 0.9, memoryUsedBytes: 7 * GiB },
    avoidUntilMs: 0,
    ...over,
  };
}

const base: FitRequest = { driver: 'process', resources: { cpuMillis: 1000, memoryBytes: GiB }, constraints: {} };

describe('PlacementEngine.fits agrees with place() on a one-node cluster', () => {
  it.each<[string, Partial<PlacementNode>, Partial<FitRequest>, boolean]>([
    ['a node with room', {}, {}, true],
    ['a node that is down', { up: false }, {}, false],
    ['an ineligible node', { eligible: false }, {}, false],
    ['a node avoided until later', { avoidUntilMs: NOW + 1 }, {}, false],
    ['a node whose avoidance has ended', { avoidUntilMs: NOW }, {}, true],
    ['a node without the driver', {}, { driver: 'docker' }, false],
    ['matching labels', {}, { constraints: { zone: 'a' } }, true],
    ['other labels', {}, { constraints: { zone: 'b' } }, false],
    ['the pinned node', {}, { nodeName: 'node-1' }, true],
    ['another pinned node', {}, { nodeName: 'node-2' }, false],
    ['too little CPU', {}, { resources: { cpuMillis: 4001, memoryBytes: 1 } }, false],
    [
      'too little memory (measured use does not count)',
      {},
      { resources: { cpuMillis: 1, memoryBytes: 9 * GiB } },
      false,
    ],
    ['exactly the capacity', {}, { resources: { cpuMillis: 4000, memoryBytes: 8 * GiB, hostPorts: 2 } }, true],
    ['too few host ports', {}, { resources: { cpuMillis: 1, memoryBytes: 1, hostPorts: 3 } }, false],
  ])('%s', (_what, n, r, expected) => {
    const engine = new PlacementEngine({ seed: 1 });
    engine.upsertNode(node(n));
    const req = { ...base, ...r };
    expect(engine.fits('n1', req, NOW)).toBe(expected);
    expect(engine.place({ workloadId: 'w', ...req }, NOW).ok).toBe(expected);
  });

  it('follows reservations and releases', () => {
    const engine = new PlacementEngine({ seed: 1 });
    engine.upsertNode(node());
    engine.reserve('n1', { cpuMillis: 3500, memoryBytes: GiB });
    expect(engine.fits('n1', base, NOW)).toBe(false);
    engine.release('n1', { cpuMillis: 3500, memoryBytes: GiB });
    expect(engine.fits('n1', base, NOW)).toBe(true);
    expect(engine.fits('unknown', base, NOW)).toBe(false);
  });

  it('does not reuse the class verdict of the decision before it', () => {
    const engine = new PlacementEngine({ seed: 1 });
    engine.upsertNode(node());
    expect(engine.place({ workloadId: 'w', ...base, driver: 'docker' }, NOW).ok).toBe(false);
    expect(engine.fits('n1', base, NOW)).toBe(true);
    expect(engine.place({ workloadId: 'w', ...base }, NOW).ok).toBe(true);
    expect(engine.fits('n1', { ...base, constraints: { zone: 'b' } }, NOW)).toBe(false);
  });
});

describe('a failed placement says when it may change by itself', () => {
  it('gives the earliest end of avoidance among the nodes that rejected it', () => {
    const engine = new PlacementEngine({ seed: 1 });
    engine.upsertNode(node({ id: 'a', name: 'a', avoidUntilMs: NOW + 20_000 }));
    engine.upsertNode(node({ id: 'b', name: 'b', avoidUntilMs: NOW + 10_000 }));
    engine.upsertNode(node({ id: 'c', name: 'c', up: false }));
    const result = engine.place({ workloadId: 'w', ...base }, NOW);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.retryAtMs).toBe(NOW + 10_000);
  });

  it('gives none when only an event can change it', () => {
    const engine = new PlacementEngine({ seed: 1 });
    engine.upsertNode(node());
    const result = engine.place({ workloadId: 'w', ...base, resources: { cpuMillis: 1, memoryBytes: 64 * GiB } }, NOW);
    expect(result.ok).toBe(false);
    expect(!result.ok && 'retryAtMs' in result).toBe(false);
  });
});
