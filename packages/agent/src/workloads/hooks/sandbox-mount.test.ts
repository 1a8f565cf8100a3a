// The sandbox mount hook alone, on a temp dir: a docker workload's /mo is its own host dir, made
// before it starts, unless it mounts something there itself.
import { afterAll, describe, expect, it } from '@jest/globals';
import { newStringMap } from '@mo/api';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DEFAULT_DOCKER_LIMITS,
  dockerSettingsOf,
  validateDockerSpec,
  type DockerSettings,
} from '../../drivers/docker/settings.js';
import type { TaskConfig } from '../../drivers/driver.js';
import type { NormalizedSpec, WorkloadRecord } from '../record.js';
import { SandboxMountHook } from './sandbox-mount.js';
import { TaskDirs } from './task-dir.js';

const root = mkdtempSync(join(tmpdir(), `mo-sandbox-mount-${process.pid}-`));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const hook = new SandboxMountHook(new TaskDirs({ dirOf: (id) => join(root, id), agentUid: 0 }));

function recordOf(id: string, docker: DockerSettings | undefined): WorkloadRecord {
  mkdirSync(join(root, id));
  const spec: NormalizedSpec = {
    id,
    name: id,
    argv: ['/bin/true'],
    env: newStringMap(),
    workingDir: '',
    cpuMillis: 0,
    memoryBytes: 0,
    labels: newStringMap(),
    gracePeriodMs: 1000,
    driver: docker ? 'docker' : 'process',
    ...(docker && { docker }),
  };
  return { spec, state: 'starting', reason: 'starting', createdAtMs: 0, startedAtMs: 0, events: [] };
}

/** What the runner gives the hooks to fill in: the spec's own sandbox. */
const configOf = (r: WorkloadRecord) => ({ ...(r.spec.docker && { driverConfig: r.spec.docker }) }) as TaskConfig;

const withMount = (target: string): DockerSettings => ({
  ...validateDockerSpec(undefined, DEFAULT_DOCKER_LIMITS),
  mounts: [{ source: '/srv/data', target, readOnly: true }],
});

describe('the sandbox mount hook', () => {
  it("makes <taskDir>/mo (0700) and binds it writable at /mo, after the workload's own mounts", () => {
    const docker = withMount('/data');
    const record = recordOf('d1', docker);
    hook.prestart(record);
    const dir = join(root, 'd1', 'mo');
    expect(statSync(dir).isDirectory()).toBe(true);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    const config = configOf(record);
    hook.configure(record, config);
    expect(dockerSettingsOf(config.driverConfig)!.mounts).toEqual([
      { source: '/srv/data', target: '/data', readOnly: true },
      { source: dir, target: '/mo', readOnly: false },
    ]);
    expect(record.spec.docker!.mounts).toHaveLength(1); // the spec (saved in the record) is left alone
  });

  it.each(['/mo', '/mo/cache'])('leaves a workload that mounts its own %s as it is', (target) => {
    const record = recordOf(`own${target.replaceAll('/', '-')}`, withMount(target));
    hook.prestart(record);
    expect(existsSync(join(root, record.spec.id, 'mo'))).toBe(false);
    const config = configOf(record);
    hook.configure(record, config);
    expect(config.driverConfig).toBe(record.spec.docker);
  });

  it('does nothing for a process workload', () => {
    const record = recordOf('p1', undefined);
    hook.prestart(record);
    expect(existsSync(join(root, 'p1', 'mo'))).toBe(false);
    const config = configOf(record);
    hook.configure(record, config);
    expect(config.driverConfig).toBeUndefined();
  });
});
