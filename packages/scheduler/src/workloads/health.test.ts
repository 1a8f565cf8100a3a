// A running allocation's health as its agent reports it, folded into the record: a change of
// health is persisted and dated on the scheduler's clock; the counters of each check are not.
import { describe, expect, it } from '@jest/globals';
import type { CheckStatus__Output, WorkloadStatus__Output } from '@mo/api';
import { agentStatus, workloadRecord } from '../testing/records.js';
import { withHealth } from './health.js';
import { moveTo, onAgentStatus } from './lifecycle.js';

const NOW = 100_000;
const half = () => 0.5;

function check(health: CheckStatus__Output['health'], successes = 1): CheckStatus__Output {
  return { name: 'http-http', health, detail: '200 OK', successes, failures: 0, checkedAtMs: 5, changedAtMs: 4 };
}

function running(health: WorkloadStatus__Output['health'], checks: CheckStatus__Output[] = []): WorkloadStatus__Output {
  return { ...agentStatus('A1', 'running'), health, checks, healthChangedAtMs: 4 };
}

describe('withHealth', () => {
  it('takes the health and checks an agent reports, dated now on a change', () => {
    const r = workloadRecord({ state: 'running' });
    const { next, changed } = withHealth(r, running('HEALTH_HEALTHY', [check('HEALTH_HEALTHY')]), NOW);
    expect(changed).toBe(true);
    expect(next).toMatchObject({ health: 'healthy', healthChangedAtMs: NOW });
    expect(next.checks).toEqual([
      {
        name: 'http-http',
        health: 'healthy',
        detail: '200 OK',
        successes: 1,
        failures: 0,
        checkedAtMs: 5,
        changedAtMs: 4,
      },
    ]);
  });

  it('keeps the counters of a check in memory only (no change of health: not worth a write)', () => {
    const r = withHealth(
      workloadRecord({ state: 'running' }),
      running('HEALTH_HEALTHY', [check('HEALTH_HEALTHY')]),
      NOW,
    ).next;
    const again = withHealth(r, running('HEALTH_HEALTHY', [check('HEALTH_HEALTHY', 7)]), NOW + 1000);
    expect(again.changed).toBe(false);
    expect(again.next.checks![0]!.successes).toBe(7);
    expect(again.next.healthChangedAtMs).toBe(NOW);
  });

  it("ignores a report older than what it has: a start's answer landing after a healthy heartbeat", () => {
    const healthy = withHealth(
      workloadRecord({ state: 'running' }),
      running('HEALTH_HEALTHY', [check('HEALTH_HEALTHY')]),
      NOW,
    ).next;
    // The start call's answer: its checks had not run yet (checked 0, changed at 2 < 5).
    const stale = { ...check('HEALTH_STARTING', 0), checkedAtMs: 0, changedAtMs: 2 };
    expect(withHealth(healthy, running('HEALTH_STARTING', [stale]), NOW + 10)).toEqual({
      next: healthy,
      changed: false,
    });
    // The transition to running, sent before the checks started, carries none.
    expect(withHealth(healthy, running('HEALTH_UNSPECIFIED'), NOW + 10)).toEqual({ next: healthy, changed: false });
    // A newer report is taken.
    const later = { ...check('HEALTH_UNHEALTHY', 0), checkedAtMs: 9, changedAtMs: 9 };
    expect(withHealth(healthy, running('HEALTH_UNHEALTHY', [later]), NOW + 20)).toMatchObject({
      changed: true,
      next: { health: 'unhealthy', healthChangedAtMs: NOW + 20 },
    });
  });

  it('changes nothing for a workload without checks', () => {
    const r = workloadRecord({ state: 'running' });
    expect(withHealth(r, running('HEALTH_UNSPECIFIED'), NOW)).toEqual({ next: r, changed: false });
  });
});

describe('health through onAgentStatus', () => {
  it('persists a running workload whose health changed, and nothing when it did not', () => {
    const r = workloadRecord({ state: 'running', runningSinceMs: 1 });
    const s = onAgentStatus(r, running('HEALTH_UNHEALTHY', [check('HEALTH_UNHEALTHY')]), NOW, half)!;
    expect(s.persist).toBe(true);
    expect(s.next).toMatchObject({ state: 'running', health: 'unhealthy', healthChangedAtMs: NOW });
    expect(
      onAgentStatus(s.next, running('HEALTH_UNHEALTHY', [check('HEALTH_UNHEALTHY')]), NOW + 5, half)!.persist,
    ).toBe(false);
  });

  it('takes the health of a workload that starts running, and drops it when it ends', () => {
    const r = workloadRecord({ state: 'starting', runningSinceMs: 0 });
    const s = onAgentStatus(r, running('HEALTH_STARTING', [check('HEALTH_STARTING')]), NOW, half)!;
    expect(s.next).toMatchObject({ state: 'running', health: 'starting' });
    const ended = moveTo(s.next, 'stopped', 'stopped', NOW + 1);
    expect(ended.health).toBeUndefined();
    expect(ended.checks).toBeUndefined();
  });

  it('keeps the name of a named port', () => {
    const r = workloadRecord({ state: 'starting', runningSinceMs: 0 });
    const status = {
      ...running('HEALTH_UNSPECIFIED'),
      ports: [{ name: 'http', containerPort: 0, hostPort: 31000, hostIp: '' }],
    };
    expect(onAgentStatus(r, status, NOW, half)!.next.ports).toEqual([
      { name: 'http', containerPort: 0, hostPort: 31000, hostIp: '' },
    ]);
  });
});
