import { describe, expect, it } from '@jest/globals';
import { InvalidArgumentError } from './errors.js';
import type { WorkloadSpec__Output } from './generated/mo/v1/WorkloadSpec.js';
import { WorkloadState } from './generated/mo/v1/WorkloadState.js';
import {
  specToWire,
  stateFromWire,
  stateToWire,
  validateSpecFields,
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
      ports: [],
      checks: [],
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

describe('validateSpecFields', () => {
  const wire = (over: Partial<WorkloadSpec__Output> = {}): WorkloadSpec__Output => ({
    id: '',
    name: '',
    argv: ['true'],
    env: {},
    workingDir: '',
    resources: null,
    labels: {},
    gracePeriodMs: 0,
    driver: '',
    docker: null,
    artifacts: null,
    timeoutMs: 0,
    pidsLimit: 0,
    user: '',
    ports: [],
    checks: [],
    ...over,
  });

  it('normalises the fields both daemons check, leaving the defaults each resolves to it', () => {
    expect(validateSpecFields(wire(), 'process')).toEqual({
      name: '',
      argv: ['true'],
      env: {},
      cpuMillis: 0,
      memoryBytes: 0,
      labels: {},
      gracePeriodMs: 0,
      timeoutMs: 0,
    });
    const full = validateSpecFields(
      wire({
        name: 'a',
        lostAfterMs: 0,
        pidsLimit: 9,
        user: 'nobody',
        resources: { cpuMillis: 5, memoryBytes: 6, hostPorts: 0 },
      }),
      'process',
    );
    expect(full).toMatchObject({
      name: 'a',
      lostAfterMs: 0,
      pidsLimit: 9,
      user: 'nobody',
      cpuMillis: 5,
      memoryBytes: 6,
    });
  });

  it.each([
    [{ argv: [] }, 'process', /^spec\.argv: must not be empty/],
    [{ env: { '1A': 'x' } }, 'process', /^spec\.env/],
    [{ name: 'Bad Name' }, 'process', /^spec\.name: must match/],
    [{ resources: { cpuMillis: -1, memoryBytes: 0, hostPorts: 0 } }, 'process', /^spec\.resources\.cpu_millis/],
    [{ gracePeriodMs: -1 }, 'process', /^spec\.grace_period_ms/],
    [{ timeoutMs: -1 }, 'process', /^spec\.timeout_ms/],
    [{ lostAfterMs: -5 }, 'process', /^spec\.lost_after_ms/],
    [{ pidsLimit: 5 }, 'docker', /^spec\.pids_limit: is for process workloads/],
    [{ user: '-x' }, 'process', /^spec\.user/],
  ] as const)('refuses %j (driver %s) naming the field', (over, driver, message) => {
    expect(() => validateSpecFields(wire(over as Partial<WorkloadSpec__Output>), driver)).toThrow(InvalidArgumentError);
    expect(() => validateSpecFields(wire(over as Partial<WorkloadSpec__Output>), driver)).toThrow(message);
  });
});
