// A job's workload record as the decisions see it (JobInstance), and the workload a start submits.
import { describe, expect, it } from '@jest/globals';
import { workloadRecord } from '../testing/records.js';
import { instanceOf, instanceRequest } from './instances.js';
import { parseJobSpec } from './spec.js';

const job = { name: 'web', version: 2, index: 1, attempt: 3 };
const checks = [{ name: 'tcp-http' }] as never;

describe('instanceOf', () => {
  it('reads version, index, attempt, when it was placed, ran and ended', () => {
    const r = workloadRecord({
      state: 'failed',
      job,
      runningSinceMs: 150,
      events: [
        { state: 'pending', reason: 'submitted', atMs: 100 },
        { state: 'starting', reason: 'placed', atMs: 120 },
        { state: 'running', reason: 'running', atMs: 150 },
        { state: 'failed', reason: 'exit 1', atMs: 400 },
      ],
    });
    expect(instanceOf(r, false)).toEqual({
      id: 'W1',
      version: 2,
      index: 1,
      attempt: 3,
      state: 'failed',
      health: 'none',
      stopRequested: false,
      startedAtMs: 120,
      runningSinceMs: 150,
      healthySinceMs: 0,
      endedAtMs: 400,
    });
  });

  it("takes the agent's health for a job with checks (starting until it is reported)", () => {
    const spec = { ...workloadRecord().spec, checks };
    const running = workloadRecord({ state: 'running', job, spec, runningSinceMs: 10 });
    expect(instanceOf(running, true)).toMatchObject({ health: 'starting', healthySinceMs: 0 });
    const healthy = { ...running, health: 'healthy' as const, healthChangedAtMs: 50 };
    expect(instanceOf(healthy, true)).toMatchObject({ health: 'healthy', healthySinceMs: 50 });
  });

  it('counts a running instance of a version without checks as healthy under one with checks', () => {
    const r = workloadRecord({ state: 'running', job, runningSinceMs: 10 });
    expect(instanceOf(r, true)).toMatchObject({ health: 'healthy', healthySinceMs: 10 });
  });
});

describe('instanceRequest', () => {
  it('is the task with restart never, the job in its env and labels, and its ports, checks and backoff', () => {
    const spec = parseJobSpec(`
name: api
type: batch
command: [./serve]
env: { A: b }
resources: { cpu: 250m, memory: 32Mi }
constraints: { zone: eu }
node: n2
timeout: 1m
lost_after: 2m
ports: [{ name: http }]
checks: [{ type: tcp, port: http }]
`);
    const a = { kind: 'start' as const, version: 4, index: 7, attempt: 2, notBeforeMs: 9_000, reason: '' };
    const { req, job: instance } = instanceRequest(spec, a);
    expect(req.spec).toMatchObject({
      name: 'api-7',
      argv: ['./serve'],
      env: { A: 'b', MO_JOB: 'api', MO_JOB_VERSION: '4', MO_JOB_INDEX: '7' },
      resources: { cpuMillis: 250, memoryBytes: 32 << 20 },
      labels: { 'mo.job': 'api', 'mo.job.version': '4' },
      driver: 'process',
      timeoutMs: 60_000,
      lostAfterMs: 120_000,
    });
    expect(req.scheduling).toMatchObject({
      constraints: { zone: 'eu' },
      node: 'n2',
      restart: { mode: 'RESTART_MODE_NEVER' },
      batch: true,
    });
    expect(instance).toMatchObject({
      ref: { name: 'api', version: 4, index: 7, attempt: 2 },
      ports: [{ name: 'http', to: 0 }],
      checks: [{ name: 'tcp-http', kind: 'tcp', port: 'http' }],
      notBeforeMs: 9_000,
    });
  });
});
