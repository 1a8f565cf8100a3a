import { describe, expect, it } from '@jest/globals';
import { InvalidArgumentError, type NodeFacts__Output, type RegisterRequest__Output } from '@mo/api';
import {
  clampStoredFacts,
  validateInventoryTotal,
  validateNodeMetrics,
  validateRegistration,
} from './validate-node.js';

const facts: NodeFacts__Output = {
  nodeName: 'n1',
  hostname: 'host-1.example.com',
  cpuModel: 'AMD EPYC 7B13',
  cpuCores: 8,
  memoryTotalBytes: 32 * 1024 ** 3,
  os: 'Debian GNU/Linux 12',
  kernel: '6.1.0-18-amd64',
  arch: 'x64',
  drivers: ['process', 'docker'],
  dockerAvailable: true,
  dockerVersion: '24.0.7',
  bootId: 'b1d0c6a4-8f7e-4c3b-9a2e-0d1f2e3a4b5c',
  agentVersion: '0.1.0',
  cgroupMode: 'v2',
  enforcedLimits: ['cpu', 'memory', 'pids'],
};

const metrics = {
  cpuUtilization: 0.25,
  memoryTotalBytes: 1000,
  memoryAvailableBytes: 500,
  load1: 0.5,
  load5: 0.4,
  load15: 0.3,
  sampledAtMs: 1_700_000_000_000,
};

function request(patch: Record<string, unknown> = {}): RegisterRequest__Output {
  return {
    nodeId: '01HZX0000000000000000000AA',
    nodeName: 'n1',
    address: '10.0.0.1:7610',
    facts: { ...facts },
    labels: { zone: 'a' },
    capacity: { cpuMillis: 8000, memoryBytes: 1 << 30, hostPorts: 1000 },
    metrics: { ...metrics },
    inventory: [],
    inventoryFollows: false,
    takesBusyTiming: true,
    ...patch,
  } as RegisterRequest__Output;
}

function fieldOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof InvalidArgumentError) return err.field;
    throw err;
  }
  return '(accepted)';
}

describe('validateRegistration', () => {
  it('accepts what a real agent sends', () => {
    const v = validateRegistration(request());
    expect(v.capacity).toEqual({ cpuMillis: 8000, memoryBytes: 1 << 30, hostPorts: 1000 });
    expect(v.facts?.cpuModel).toBe('AMD EPYC 7B13');
  });

  it.each<[string, string, Record<string, unknown>]>([
    ['a 3 MB cpu_model', 'facts.cpu_model', { facts: { ...facts, cpuModel: 'x'.repeat(3_000_000) } }],
    ['a hostname of 254 characters', 'facts.hostname', { facts: { ...facts, hostname: 'h'.repeat(254) } }],
    ['a kernel with a newline', 'facts.kernel', { facts: { ...facts, kernel: '6.1\n\u001b[31mred' } }],
    ['an os of 257 characters', 'facts.os', { facts: { ...facts, os: 'o'.repeat(257) } }],
    ['17 drivers', 'facts.drivers', { facts: { ...facts, drivers: Array(17).fill('process') } }],
    ['a driver of 33 characters', 'facts.drivers[0]', { facts: { ...facts, drivers: ['d'.repeat(33)] } }],
    ['negative cpu_cores', 'facts.cpu_cores', { facts: { ...facts, cpuCores: -1 } }],
    ['fractional memory', 'facts.memory_total_bytes', { facts: { ...facts, memoryTotalBytes: 1.5 } }],
    ['NaN cpu_utilization', 'metrics.cpu_utilization', { metrics: { ...metrics, cpuUtilization: NaN } }],
    ['cpu_utilization above 1', 'metrics.cpu_utilization', { metrics: { ...metrics, cpuUtilization: 1.5 } }],
    ['Infinity load1', 'metrics.load1', { metrics: { ...metrics, load1: Infinity } }],
    ['negative load15', 'metrics.load15', { metrics: { ...metrics, load15: -0.1 } }],
    ['negative memory', 'metrics.memory_available_bytes', { metrics: { ...metrics, memoryAvailableBytes: -1 } }],
    ['a bad node id', 'node_id', { nodeId: '../etc' }],
    ['a node name of 64 characters', 'node_name', { nodeName: 'n'.repeat(64) }],
    ['an address without a port', 'address', { address: '10.0.0.1' }],
    ['a 300-character address', 'address', { address: `${'a'.repeat(300)}:1` }],
    ['a label key with spaces', 'labels["a b"]', { labels: { 'a b': 'c' } }],
    ['a label value of 257 bytes', 'labels["k"]', { labels: { k: 'v'.repeat(257) } }],
    ['negative capacity', 'capacity.cpu_millis', { capacity: { cpuMillis: -1, memoryBytes: 0 } }],
    ['host ports above 65535', 'capacity.host_ports', { capacity: { cpuMillis: 0, memoryBytes: 0, hostPorts: 65536 } }],
    ['1001 inventory entries in a page', 'inventory', { inventory: Array(1001).fill({}) }],
  ])('refuses %s, naming %s', (_what, field, patch) => {
    expect(fieldOf(() => validateRegistration(request(patch)))).toBe(field);
  });

  it('does not echo a huge value back', () => {
    const huge = '\n'.repeat(10) + 'x'.repeat(100_000);
    expect(() => validateRegistration(request({ facts: { ...facts, cpuModel: huge.slice(0, 200) } }))).toThrow(
      /^facts\.cpu_model: must not contain control characters, got .{1,120}$/,
    );
    // A long value without control characters, in a field that echoes it: cut, and says so.
    expect(() => validateRegistration(request({ nodeName: 'n'.repeat(100_000) }))).toThrow(
      /^node_name: must match .*, got "n{1,64}…\(100000 chars\)"$/,
    );
  });
});

describe('validateNodeMetrics', () => {
  it('names the field under the prefix it is given', () => {
    expect(fieldOf(() => validateNodeMetrics({ ...metrics, load5: NaN }, 'heartbeat.metrics'))).toBe(
      'heartbeat.metrics.load5',
    );
  });
});

describe('validateInventoryTotal', () => {
  it('refuses more than 100,000 entries over all pages', () => {
    expect(fieldOf(() => validateInventoryTotal('inventory', 100_000))).toBe('(accepted)');
    expect(fieldOf(() => validateInventoryTotal('inventory', 100_001))).toBe('inventory');
  });
});

describe('clampStoredFacts', () => {
  it('cuts what an older scheduler stored to the limits, so the row cannot break ListNodes', () => {
    const stored = {
      ...facts,
      cpuModel: 'x'.repeat(3_000_000),
      kernel: 'a\nb',
      drivers: Array(100).fill('process'),
      cpuCores: NaN,
    };
    const f = clampStoredFacts(stored)!;
    expect(f.cpuModel).toHaveLength(256);
    expect(f.kernel).toBe('a b');
    expect(f.drivers).toHaveLength(16);
    expect(f.cpuCores).toBe(0);
    expect(fieldOf(() => validateRegistration(request({ facts: f })))).toBe('(accepted)');
  });

  it('drops facts that are not an object', () => {
    expect(clampStoredFacts(null)).toBeNull();
  });
});
