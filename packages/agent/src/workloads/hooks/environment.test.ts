// The environment hook alone: exactly what a workload's process gets, nothing of the agent's own.
import { describe, expect, it } from '@jest/globals';
import { newStringMap } from '@mo/api';
import { DEFAULT_DOCKER_LIMITS, validateDockerSpec } from '../../drivers/docker/settings.js';
import type { TaskConfig } from '../../drivers/driver.js';
import type { NormalizedSpec, WorkloadRecord } from '../record.js';
import { DEFAULT_PATH } from '../validate.js';
import { EnvironmentHook } from './environment.js';
import { TaskDirs } from './task-dir.js';

const dirs = new TaskDirs({ dirOf: (id) => `/var/lib/mo/workloads/${id}`, agentUid: 0 });
const hook = new EnvironmentHook(dirs, 'node-a');

function specOf(over: Partial<NormalizedSpec> = {}): NormalizedSpec {
  return {
    id: 'w1',
    name: 'build',
    argv: ['/bin/true'],
    env: newStringMap(),
    workingDir: '/var/lib/mo/workloads/w1/work',
    cpuMillis: 0,
    memoryBytes: 0,
    labels: newStringMap(),
    gracePeriodMs: 1000,
    driver: 'process',
    ...over,
  };
}

const alice = { name: 'alice', uid: 1001, gid: 1001, groups: [] };

describe('the environment hook', () => {
  it("gives a process workload a minimal base with its user and dirs, and none of the agent's env", () => {
    expect(process.env.PATH).toBeDefined(); // the agent's own, which must not leak
    expect({ ...hook.environmentOf(specOf({ runAs: alice })) }).toEqual({
      PATH: DEFAULT_PATH,
      HOME: '/var/lib/mo/workloads/w1/work',
      USER: 'alice',
      LOGNAME: 'alice',
      MO_WORKLOAD_ID: 'w1',
      MO_WORKLOAD_NAME: 'build',
      MO_NODE_NAME: 'node-a',
      MO_WORKLOAD_DIR: '/var/lib/mo/workloads/w1',
      MO_OUTPUT: '/var/lib/mo/workloads/w1/output',
    });
  });

  it('names no user for a workload from before users were switched (it ran as the agent)', () => {
    const env = hook.environmentOf(specOf());
    expect(env.USER).toBeUndefined();
    expect(env.LOGNAME).toBeUndefined();
  });

  it("gives a docker workload paths inside its sandbox, not the host's", () => {
    const docker = validateDockerSpec(undefined, DEFAULT_DOCKER_LIMITS);
    expect({ ...hook.environmentOf(specOf({ driver: 'docker', docker, workingDir: '', runAs: alice })) }).toEqual({
      PATH: DEFAULT_PATH,
      HOME: '/tmp',
      MO_WORKLOAD_ID: 'w1',
      MO_WORKLOAD_NAME: 'build',
      MO_NODE_NAME: 'node-a',
      MO_OUTPUT: '/mo/output',
    });
  });

  it('lets the spec override the base, and passes `__proto__` as a variable like any other', () => {
    const env = hook.environmentOf(
      specOf({
        env: newStringMap([
          ['PATH', '/opt/bin'],
          ['MO_NODE_NAME', 'mine'],
          ['__proto__', 'x'],
          ['A', '1'],
        ]),
      }),
    );
    expect(Object.getPrototypeOf(env)).toBeNull();
    expect(env.PATH).toBe('/opt/bin');
    expect(env.MO_NODE_NAME).toBe('mine');
    expect(Object.keys(env)).toContain('__proto__');
    expect(env['__proto__']).toBe('x');
    expect(env.A).toBe('1');
  });

  it("replaces the driver config's env with the whole environment", () => {
    const record: WorkloadRecord = {
      spec: specOf({ env: newStringMap([['A', '1']]) }),
      state: 'starting',
      reason: 'starting',
      createdAtMs: 0,
      startedAtMs: 0,
      events: [],
    };
    const config = { env: record.spec.env } as TaskConfig;
    hook.configure(record, config);
    expect(config.env).toEqual(hook.environmentOf(record.spec));
    expect(config.env.A).toBe('1');
    expect(record.spec.env).toEqual(newStringMap([['A', '1']])); // the spec itself is left alone
  });
});
