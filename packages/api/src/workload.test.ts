import { describe, expect, it } from '@jest/globals';
import { WorkloadState } from './generated/mo/v1/WorkloadState.js';
import {
  specToWire,
  stateFromWire,
  stateToWire,
  type NormalizedWorkloadSpec,
  type WorkloadStateName,
} from './workload.js';

const spec = (over: Partial<NormalizedWorkloadSpec> = {}): NormalizedWorkloadSpec => ({
  name: 'web',
  argv: ['sleep', '10'],
  env: { A: '1' },
  workingDir: '/srv',
  cpuMillis: 250,
  memoryBytes: 1 << 20,
  labels: { team: 'x' },
  gracePeriodMs: 5000,
  driver: 'process',
  ...over,
});

describe('specToWire', () => {
  it('sends every field of a full spec, with the id and labels given', () => {
    const w = specToWire(spec({ timeoutMs: 9000, lostAfterMs: 30_000, pidsLimit: 64, user: 'nobody' }), {
      id: 'A1',
      labels: { team: 'x', 'mo.workload': 'W1' },
    });
    expect(w).toEqual({
      id: 'A1',
      name: 'web',
      argv: ['sleep', '10'],
      env: { A: '1' },
      workingDir: '/srv',
      resources: { cpuMillis: 250, memoryBytes: 1 << 20, hostPorts: 0 },
      labels: { team: 'x', 'mo.workload': 'W1' },
      gracePeriodMs: 5000,
      timeoutMs: 9000,
      lostAfterMs: 30_000,
      pidsLimit: 64,
      driver: 'process',
      user: 'nobody',
    });
  });

  it('leaves lost_after unset when the spec has none (presence means something), and 0 when it is 0', () => {
    expect('lostAfterMs' in specToWire(spec(), { id: 'A' })).toBe(false);
    expect(specToWire(spec({ lostAfterMs: 0 }), { id: 'A' }).lostAfterMs).toBe(0);
  });

  it('fills the proto defaults of optional fields from records that predate them', () => {
    const w = specToWire(spec(), { id: 'A' });
    expect(w).toMatchObject({ timeoutMs: 0, pidsLimit: 0, user: '' });
    expect(w.docker).toBeUndefined();
    expect(w.artifacts).toBeUndefined();
  });

  it('books one host port per published container port', () => {
    const docker = { image: 'i', network: 'bridge', writableRoot: false, ports: [80, 443], mounts: [], pidsLimit: 0 };
    const w = specToWire(spec({ driver: 'docker', docker }), { id: 'A' });
    expect(w.resources).toEqual({ cpuMillis: 250, memoryBytes: 1 << 20, hostPorts: 2 });
    expect(w.docker).toEqual(docker);
  });

  it('brief: id, name, driver, resources and labels only', () => {
    const w = specToWire(spec({ timeoutMs: 1 }), { id: 'A', brief: true });
    expect(w).toEqual({
      id: 'A',
      name: 'web',
      resources: { cpuMillis: 250, memoryBytes: 1 << 20, hostPorts: 0 },
      labels: { team: 'x' },
      driver: 'process',
    });
  });
});

describe('workload state names', () => {
  const names: WorkloadStateName[] = [
    'pending',
    'starting',
    'running',
    'succeeded',
    'failed',
    'stopped',
    'lost',
    'unknown',
  ];

  it('map to and from the wire enum one to one, covering every value but UNSPECIFIED', () => {
    for (const n of names) expect(stateFromWire(stateToWire(n))).toBe(n);
    const wire = new Set(names.map(stateToWire));
    const all = Object.keys(WorkloadState).filter((k) => k !== 'WORKLOAD_STATE_UNSPECIFIED');
    expect([...wire].sort()).toEqual(all.sort());
    expect(stateFromWire('WORKLOAD_STATE_UNSPECIFIED')).toBeUndefined();
    expect(stateFromWire('nonsense')).toBeUndefined();
  });
});
