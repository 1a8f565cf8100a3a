// StartWorkload validation with this agent's drivers: the common fields here, each driver's own part
// of the spec (docker's sandbox and container paths) by the driver, refused for any other driver.
import { describe, expect, it } from '@jest/globals';
import type { WorkloadSpec__Output } from '@mo/api';
import { DockerDriver } from '../drivers/docker/docker-driver.js';
import type { Driver } from '../drivers/driver.js';
import { DEFAULT_DOCKER_LIMITS, validateDockerSpec } from '../drivers/docker/settings.js';
import { validateStartSpec, type ValidateContext } from './validate.js';

const ctx: ValidateContext = {
  newId: () => 'w-new',
  defaultWorkingDir: (id) => `/data/workloads/${id}/work`,
  defaultGracePeriodMs: 5000,
  // The process driver takes no settings of its own; docker's are checked against its limits.
  drivers: new Map<string, Pick<Driver, 'specField' | 'validateSpec'>>([
    ['process', {}],
    ['docker', new DockerDriver({ nodeId: 'n-test', limits: { ...DEFAULT_DOCKER_LIMITS, maxPidsLimit: 100 } })],
  ]),
  runAs: () => ({ name: 'me', uid: 1000, gid: 1000, groups: [1000] }),
};

/** A spec as the wire gives it: every field at its proto default unless set. */
const specOf = (over: Partial<WorkloadSpec__Output>): WorkloadSpec__Output => ({
  ...{ id: 'w1', name: '', argv: ['true'], env: {}, workingDir: '', resources: null, labels: {}, gracePeriodMs: 0 },
  ...{ driver: '', docker: null, artifacts: null, timeoutMs: 0, pidsLimit: 0, user: '', ports: [], checks: [] },
  ...over,
});

describe('validateStartSpec: the driver part of a spec', () => {
  it("keeps a docker workload's sandbox, as the driver normalised it, and its paths in the container", () => {
    const spec = validateStartSpec(specOf({ driver: 'docker', argv: ['/no/such/bin'], docker: null }), ctx);
    expect(spec).toMatchObject({ driver: 'docker', workingDir: '', argv: ['/no/such/bin'] });
    expect(spec.docker).toEqual(validateDockerSpec(undefined, DEFAULT_DOCKER_LIMITS));
  });

  it("checks a docker workload's sandbox against the driver's limits", () => {
    const spec = specOf({ driver: 'docker', docker: { pidsLimit: 200 } as WorkloadSpec__Output['docker'] });
    expect(() => validateStartSpec(spec, ctx)).toThrow(
      "spec.docker.pids_limit: must be at most 100 (this agent's maximum), got 200",
    );
  });

  it.each([
    ['a relative path', 'work'],
    ['a NUL byte', '/w\0rk'],
  ])("refuses a docker workload's working dir with %s", (_, workingDir) => {
    expect(() => validateStartSpec(specOf({ driver: 'docker', workingDir }), ctx)).toThrow(
      `spec.working_dir: must be an absolute path in the container, got ${JSON.stringify(workingDir)}`,
    );
  });

  it('refuses docker settings in a workload of another driver', () => {
    const spec = specOf({ driver: 'process', docker: { image: 'x' } as WorkloadSpec__Output['docker'] });
    expect(() => validateStartSpec(spec, ctx)).toThrow(
      'spec.docker: is only for driver "docker" (driver is "process")',
    );
  });

  it('gives a process workload no driver settings, and host paths checked on the host', () => {
    const spec = validateStartSpec(specOf({}), ctx);
    expect(spec).toMatchObject({ driver: 'process', workingDir: '/data/workloads/w1/work' });
    expect(spec).not.toHaveProperty('docker');
    expect(() => validateStartSpec(specOf({ argv: ['/no/such/bin'] }), ctx)).toThrow(
      'spec.argv[0]: "/no/such/bin" does not exist or is not executable',
    );
  });

  it('names the drivers this node has when asked for another', () => {
    expect(() => validateStartSpec(specOf({ driver: 'vm' }), ctx)).toThrow(
      'spec.driver: driver "vm" is not available on this node (have: process, docker)',
    );
  });
});
