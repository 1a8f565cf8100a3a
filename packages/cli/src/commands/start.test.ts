import { describe, expect, it } from '@jest/globals';
import { buildScheduling, buildSpec, buildSubmit, parseWait } from './start.js';

describe('buildSpec', () => {
  it('passes argv through verbatim, as a list', () => {
    const argv = ['sh', '-c', 'echo "$HOME" && exit 3', '--json', ''];
    expect(buildSpec(argv, {})).toEqual({ argv });
  });

  it('fills the spec from every flag', () => {
    const spec = buildSpec(['sleep', '1'], {
      name: 'nap',
      env: ['A=1', 'B=x=y'],
      cwd: '/tmp',
      label: ['team=core'],
      cpu: '250m',
      memory: '64Mi',
      grace: '1m30s',
      driver: 'process',
    });
    expect(spec).toEqual({
      argv: ['sleep', '1'],
      name: 'nap',
      env: { A: '1', B: 'x=y' },
      workingDir: '/tmp',
      labels: { team: 'core' },
      resources: { cpuMillis: 250, memoryBytes: 64 * 2 ** 20 },
      gracePeriodMs: 90_000,
      driver: 'process',
    });
  });

  it('refuses an empty command', () => {
    expect(() => buildSpec([], {})).toThrow(/^missing command/);
  });

  it.each([
    [{ env: ['x'] }, '--env'],
    [{ label: ['x'] }, '--label'],
    [{ memory: '1m' }, '--memory'],
    [{ cpu: 'half' }, '--cpu'],
    [{ grace: '10' }, '--grace'],
  ])('names the flag in error for %j', (flags, flag) => {
    expect(() => buildSpec(['true'], flags)).toThrow(new RegExp(`^${flag}: `));
  });
});

describe('buildScheduling', () => {
  it('is undefined without scheduling flags (the scheduler applies its defaults)', () => {
    expect(buildScheduling({ name: 'x' })).toBeUndefined();
  });

  it('fills the scheduling spec from every flag', () => {
    expect(
      buildScheduling({
        constraint: ['zone=a', 'disk=ssd'],
        node: 'dev-1',
        restart: 'on-failure',
        maxRestarts: '5',
        priority: 'high',
        strategy: 'binpack',
      }),
    ).toEqual({
      constraints: { zone: 'a', disk: 'ssd' },
      node: 'dev-1',
      restart: { mode: 'RESTART_MODE_ON_FAILURE', maxAttempts: 5 },
      priority: 'PRIORITY_HIGH',
      strategy: 'PLACEMENT_STRATEGY_BINPACK',
    });
  });

  it.each([
    [{ restart: 'never' }, { restart: { mode: 'RESTART_MODE_NEVER' } }],
    [{ restart: 'always' }, { restart: { mode: 'RESTART_MODE_ALWAYS' } }],
    [{ priority: 'low' }, { priority: 'PRIORITY_LOW' }],
    [{ priority: 'normal' }, { priority: 'PRIORITY_NORMAL' }],
    [{ strategy: 'spread' }, { strategy: 'PLACEMENT_STRATEGY_SPREAD' }],
  ])('maps %j to %j', (flags, expected) => {
    expect(buildScheduling(flags)).toEqual(expected);
  });
});

describe('buildSubmit', () => {
  it('carries the idempotency key next to spec and scheduling', () => {
    expect(buildSubmit(['true'], { idempotencyKey: 'k1', node: 'n' })).toEqual({
      spec: { argv: ['true'] },
      scheduling: { node: 'n' },
      idempotencyKey: 'k1',
    });
  });
});

describe('parseWait', () => {
  it.each([
    [{}, undefined],
    [{ wait: true }, { until: 'running', timeoutMs: undefined }],
    [{ wait: 'running' }, { until: 'running', timeoutMs: undefined }],
    [
      { wait: 'exit', waitTimeout: '1m' },
      { until: 'exit', timeoutMs: 60_000 },
    ],
  ])('reads %j as %j', (flags, expected) => {
    expect(parseWait(flags)).toEqual(expected);
  });

  it.each([
    [{ wait: 'done' }, /^--wait: expected running, exit/],
    [{ waitTimeout: '5s' }, /^--wait-timeout: needs --wait/],
    [{ wait: true, waitTimeout: '0s' }, /^--wait-timeout: must be greater than 0/],
  ])('refuses %j', (flags, message) => {
    expect(() => parseWait(flags)).toThrow(message);
  });
});

describe('buildSpec: docker sandboxes', () => {
  it('fills the sandbox from every docker flag', () => {
    const spec = buildSpec(['nc', '-l', '-p', '3000'], {
      driver: 'docker',
      image: 'mo-sandbox:latest',
      network: 'bridge',
      readOnly: false,
      port: ['3000', '8080'],
      mount: ['/srv/src:/work:ro', '/srv/out:/out'],
      pids: '64',
      memory: '64Mi',
    });
    expect(spec).toEqual({
      argv: ['nc', '-l', '-p', '3000'],
      driver: 'docker',
      resources: { memoryBytes: 64 * 2 ** 20 },
      docker: {
        image: 'mo-sandbox:latest',
        network: 'bridge',
        writableRoot: true,
        ports: [3000, 8080],
        mounts: [
          { source: '/srv/src', target: '/work', readOnly: true },
          { source: '/srv/out', target: '/out', readOnly: false },
        ],
        pidsLimit: 64,
      },
    });
  });

  it('puts --pids on the sandbox of a docker workload, on the cgroup of a process one', () => {
    expect(buildSpec(['true'], { driver: 'docker', pids: '64' })).toEqual({
      argv: ['true'],
      driver: 'docker',
      docker: { pidsLimit: 64 },
    });
    expect(buildSpec(['true'], { pids: '64' })).toEqual({ argv: ['true'], pidsLimit: 64 });
  });

  it('takes --image alone as a request for the docker driver', () => {
    expect(buildSpec(['true'], { image: 'alpine:3' })).toEqual({
      argv: ['true'],
      driver: 'docker',
      docker: { image: 'alpine:3' },
    });
  });

  it.each([
    [{ driver: 'process', image: 'x' }, '--image: needs --driver docker'],
    [{ network: 'host' }, '--network'],
    [{ port: ['70000'] }, '--port: expected a TCP port 1-65535'],
    [{ port: ['http'] }, '--port'],
    [{ mount: ['/only-one'] }, '--mount: expected SRC:DST'],
    [{ mount: ['/a:/b:rx'] }, '--mount'],
    [{ pids: '0' }, '--pids'],
  ])('refuses %j', (flags, message) => {
    expect(() => buildSpec(['true'], flags)).toThrow(message);
  });
});
