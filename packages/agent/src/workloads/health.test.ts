// execPlanOf: where a workload's exec checks run, decided from its record, its driver and the agent's uid.
import { describe, expect, it } from '@jest/globals';
import type { TaskHandle } from '../drivers/driver.js';
import { execPlanOf } from './health.js';
import type { WorkloadRecord } from './record.js';

const runAs = { name: 'app', uid: 1001, gid: 1002, groups: [1002] };
const handle: TaskHandle = { driver: 'docker', pid: 7, data: { containerId: 'c0ffee' } };
const record = (over: Partial<WorkloadRecord> = {}): WorkloadRecord => ({
  spec: {
    id: 'w1',
    name: 'w',
    argv: ['x'],
    env: {},
    workingDir: '/srv',
    cpuMillis: 0,
    memoryBytes: 0,
    labels: {},
    gracePeriodMs: 1000,
    driver: 'process',
    runAs,
  },
  state: 'running',
  reason: 'started',
  createdAtMs: 1,
  startedAtMs: 1,
  events: [],
  handle,
  ...over,
});
const config = () => ({ env: { MO_PORT_HTTP: '3001', PATH: '/bin' }, workingDir: '/srv/work' });

describe('execPlanOf', () => {
  it('runs a process workload’s check in its env and dir, as its user when the agent is root', () => {
    expect(execPlanOf(record(), {}, config, 0)).toEqual({
      exec: { env: { MO_PORT_HTTP: '3001', PATH: '/bin' }, cwd: '/srv/work', uid: 1001, gid: 1002 },
    });
  });

  it('runs it as the agent when the agent cannot switch users (it is then the workload’s user)', () => {
    expect(execPlanOf(record(), {}, config, 1001).exec).toEqual({
      env: { MO_PORT_HTTP: '3001', PATH: '/bin' },
      cwd: '/srv/work',
    });
  });

  it('wraps the command to run inside the workload when its driver says how (docker exec)', () => {
    const driver = {
      execArgv: (h: TaskHandle, argv: readonly string[]) => ['docker', 'exec', String(h.data.containerId), ...argv],
    };
    const plan = execPlanOf(
      record(),
      driver,
      () => {
        throw new Error('not needed');
      },
      0,
    );
    expect(plan.wrap?.(['test', '-f', '/ok'])).toEqual(['docker', 'exec', 'c0ffee', 'test', '-f', '/ok']);
    expect(plan.exec.uid).toBeUndefined();
  });
});
