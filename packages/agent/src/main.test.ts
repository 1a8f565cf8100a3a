// The agent's command line: the scheduler flags, their MO_* variables, and errors naming the flag.
import { describe, expect, it } from '@jest/globals';
import { parseAgentArgs } from './main.js';

describe('parseAgentArgs: scheduler settings', () => {
  it('reads them from flags', () => {
    expect(
      parseAgentArgs(
        [
          '--scheduler',
          'sched:7600',
          '--advertise',
          '10.0.0.5:7610',
          '--label',
          'zone=a',
          '--label',
          'disk=ssd',
          '--capacity-cpu',
          '4000',
          '--capacity-memory',
          '8589934592',
        ],
        {},
      ),
    ).toMatchObject({
      schedulerAddresses: ['sched:7600'],
      advertiseAddress: '10.0.0.5:7610',
      labels: { zone: 'a', disk: 'ssd' },
      capacityCpuMillis: 4000,
      capacityMemoryBytes: 8589934592,
    });
  });

  it('reads them from MO_* variables, and flags win', () => {
    const env = {
      MO_SCHEDULER_ADDR: 'sched:7600',
      MO_NODE_LABELS: 'zone=a, disk=ssd',
      MO_CAPACITY_CPU: '2000',
      MO_ADVERTISE_ADDR: 'node1:7610',
    };
    expect(parseAgentArgs([], env)).toMatchObject({
      schedulerAddresses: ['sched:7600'],
      advertiseAddress: 'node1:7610',
      labels: { zone: 'a', disk: 'ssd' },
      capacityCpuMillis: 2000,
    });
    expect(parseAgentArgs(['--label', 'zone=b', '--capacity-cpu', '500'], env)).toMatchObject({
      labels: { zone: 'b' },
      capacityCpuMillis: 500,
    });
  });

  it('takes several schedulers, as a list (the agent registers with the leader)', () => {
    expect(parseAgentArgs(['--scheduler', 's1:7600, s2:7600,s3:7600'], {})).toMatchObject({
      schedulerAddresses: ['s1:7600', 's2:7600', 's3:7600'],
    });
    expect(parseAgentArgs([], { MO_SCHEDULER_ADDR: 's1:7600,s2:7600' })).toMatchObject({
      schedulerAddresses: ['s1:7600', 's2:7600'],
    });
  });

  it('leaves them unset without flags or variables (a standalone agent)', () => {
    expect(parseAgentArgs([], {})).toMatchObject({ schedulerAddresses: undefined, labels: undefined });
  });

  it.each([
    [['--scheduler', 'nohost'], {}, /--scheduler \(MO_SCHEDULER_ADDR\): invalid listen address "nohost"/],
    [['--scheduler', 'a:1,nohost'], {}, /--scheduler \(MO_SCHEDULER_ADDR\): invalid listen address "nohost"/],
    [[], { MO_SCHEDULER_ADDR: 'a:1,,b:2' }, /--scheduler \(MO_SCHEDULER_ADDR\): expected host:port/],
    [[], { MO_NODE_LABELS: 'zone' }, /--label \(MO_NODE_LABELS\): expected key=value, got "zone"/],
    [['--capacity-cpu', '1.5'], {}, /--capacity-cpu \(MO_CAPACITY_CPU\): expected a positive integer, got "1.5"/],
    [[], { MO_CAPACITY_MEMORY: '2Gi' }, /--capacity-memory \(MO_CAPACITY_MEMORY\): expected a positive integer/],
  ])('rejects %j %j naming the flag', (argv, env, message) => {
    expect(() => parseAgentArgs(argv, env)).toThrow(message);
  });
});

describe('parseAgentArgs: --cgroup-root', () => {
  it('reads a path or "off" from the flag or MO_CGROUP_ROOT, and is unset otherwise', () => {
    expect(parseAgentArgs(['--cgroup-root', '/mo/test-1'], {})).toMatchObject({ cgroupRoot: '/mo/test-1' });
    expect(parseAgentArgs([], { MO_CGROUP_ROOT: 'off' })).toMatchObject({ cgroupRoot: 'off' });
    expect(parseAgentArgs([], {})).toMatchObject({ cgroupRoot: undefined });
  });

  it.each(['mo/relative', '/mo/../escape', '/mo//double', '/mo/a b', '/', `/${'x'.repeat(200)}`])(
    'rejects %j naming the flag',
    (root) => {
      expect(() => parseAgentArgs(['--cgroup-root', root], {})).toThrow(/--cgroup-root \(MO_CGROUP_ROOT\): expected/);
    },
  );
});

describe('parseAgentArgs: --max-log-disk', () => {
  it('reads a size or a share of the filesystem, from the flag or MO_MAX_LOG_DISK (the flag wins)', () => {
    expect(parseAgentArgs(['--max-log-disk', '2Gi'], {})).toMatchObject({ maxLogDisk: { bytes: 2 * 2 ** 30 } });
    expect(parseAgentArgs([], { MO_MAX_LOG_DISK: '5%' })).toMatchObject({ maxLogDisk: { percent: 5 } });
    expect(parseAgentArgs(['--max-log-disk', '100M'], { MO_MAX_LOG_DISK: '5%' })).toMatchObject({
      maxLogDisk: { bytes: 100e6 },
    });
    expect(parseAgentArgs([], {})).toMatchObject({ maxLogDisk: undefined }); // the default share
  });

  it.each([
    [['--max-log-disk', 'much'], {}, /--max-log-disk \(MO_MAX_LOG_DISK\): expected a size like 2Gi/],
    [[], { MO_MAX_LOG_DISK: '0%' }, /--max-log-disk \(MO_MAX_LOG_DISK\): expected a share above 0%/],
  ])('rejects %j %j naming the flag', (argv, env, message) => {
    expect(() => parseAgentArgs(argv, env)).toThrow(message);
  });
});

describe('parseAgentArgs: docker mounts', () => {
  it('allows none by default, read-only ones under --docker-mount-root, writable ones only when allowed', () => {
    expect(parseAgentArgs([], {})).toMatchObject({ docker: undefined }); // DEFAULT_DOCKER_LIMITS: no roots
    expect(parseAgentArgs(['--docker-mount-root', '/srv/a', '--docker-mount-root', '/srv/b'], {})).toMatchObject({
      docker: { mountRoots: ['/srv/a', '/srv/b'], allowWritableMounts: false },
    });
    expect(parseAgentArgs(['--docker-allow-writable-mounts'], {})).toMatchObject({
      docker: { mountRoots: [], allowWritableMounts: true },
    });
    expect(parseAgentArgs([], { MO_DOCKER_ALLOW_WRITABLE_MOUNTS: '1' })).toMatchObject({
      docker: { allowWritableMounts: true },
    });
  });

  it('refuses to allow writable mounts and deny them at once, naming both flags', () => {
    expect(() => parseAgentArgs(['--docker-allow-writable-mounts', '--docker-deny', 'writable-mounts'], {})).toThrow(
      '--docker-deny (MO_DOCKER_DENY) writable-mounts contradicts --docker-allow-writable-mounts (MO_DOCKER_ALLOW_WRITABLE_MOUNTS)',
    );
  });
});

describe('parseAgentArgs: --port-range', () => {
  const range = (argv: string[], env: NodeJS.ProcessEnv) => {
    const parsed = parseAgentArgs(argv, env);
    return typeof parsed === 'object' ? parsed.docker?.portRange : undefined;
  };

  it('reads the pool from --port-range or MO_PORT_RANGE, --docker-ports and MO_DOCKER_PORTS being older names', () => {
    expect(range(['--port-range', '5000-5009'], {})).toEqual({ first: 5000, last: 5009 });
    expect(range([], { MO_PORT_RANGE: '5000-5001' })).toEqual({ first: 5000, last: 5001 });
    expect(range(['--docker-ports', '6000-6001'], {})).toEqual({ first: 6000, last: 6001 });
    expect(range([], { MO_DOCKER_PORTS: '6000-6002' })).toEqual({ first: 6000, last: 6002 });
    // A flag before a variable, the new name before the old.
    expect(range(['--docker-ports', '6000-6001'], { MO_PORT_RANGE: '5000-5001' })).toEqual({ first: 6000, last: 6001 });
    expect(range(['--port-range', '5000-5001', '--docker-ports', '6000-6001'], {})).toEqual({
      first: 5000,
      last: 5001,
    });
    expect(range([], {})).toBeUndefined();
  });

  it.each([
    [['--port-range', '9-1'], {}, '--port-range: expected FIRST-LAST'],
    [[], { MO_PORT_RANGE: 'x' }, 'MO_PORT_RANGE: expected FIRST-LAST'],
    [['--docker-ports', '0-10'], {}, '--docker-ports: expected FIRST-LAST'],
  ])('refuses %j %j naming the setting', (argv, env, message) => {
    expect(() => parseAgentArgs(argv, env)).toThrow(message);
  });
});
