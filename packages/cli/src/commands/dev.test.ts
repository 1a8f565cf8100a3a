import { describe, expect, it } from '@jest/globals';
import { agentName } from '../dev/cluster.js';
import { devPorts } from '../dev/cluster-ports.js';
import { devSettings, shellQuote } from './dev.js';

describe('devSettings', () => {
  it('defaults to 2 agents on ports from 7600 in ~/.mo/dev, stopping workloads on exit', () => {
    expect(devSettings({}, { HOME: '/home/u' }, 1000)).toEqual({
      agents: 2,
      dataDir: '/home/u/.mo/dev',
      portBase: 7600,
      logLevel: 'info',
      stopWorkloads: true,
      stopTimeoutMs: 10_000,
      insecure: false,
    });
  });

  it('as root, keeps state in /var/lib/mo/dev and runs workloads as the sudo user (else nobody)', () => {
    expect(devSettings({}, { HOME: '/root', SUDO_USER: 'alice' }, 0)).toMatchObject({
      dataDir: '/var/lib/mo/dev',
      defaultUser: 'alice',
    });
    expect(devSettings({}, { HOME: '/root' }, 0).defaultUser).toBeUndefined();
    expect(devSettings({}, { SUDO_USER: 'root' }, 0).defaultUser).toBeUndefined();
    expect(devSettings({ defaultUser: 'bob', allowedUsers: 'root' }, { SUDO_USER: 'alice' }, 0)).toMatchObject({
      defaultUser: 'bob',
      allowedUsers: 'root',
    });
    // Not root: the agents can run workloads only as this user anyway.
    expect(devSettings({}, { SUDO_USER: 'alice', HOME: '/home/u' }, 1000).defaultUser).toBeUndefined();
  });

  it('takes the data dir from MO_DEV_DIR, and --data-dir over it', () => {
    expect(devSettings({}, { MO_DEV_DIR: '/d' }).dataDir).toBe('/d');
    expect(devSettings({ dataDir: '/x' }, { MO_DEV_DIR: '/d' }).dataDir).toBe('/x');
  });

  it('reads every flag', () => {
    expect(
      devSettings(
        { agents: '3', portBase: '0', logLevel: 'debug', keepWorkloads: true, stopTimeout: '2s', dataDir: '/x' },
        {},
      ),
    ).toEqual({
      agents: 3,
      dataDir: '/x',
      portBase: 0,
      logLevel: 'debug',
      stopWorkloads: false,
      stopTimeoutMs: 2000,
      insecure: false,
    });
  });

  it.each([
    [{ agents: '-1' }, /^--agents: expected a whole number/],
    [{ agents: '1000' }, /^--agents: must be at most 100/],
    [{ portBase: '80' }, /^--port-base: must be 0/],
    [{ portBase: '65000' }, /^--port-base: must be 0 .* up to 65999/],
    [{ stopTimeout: '10' }, /^--stop-timeout: "10" has no unit; use a unit: 10s or 10000ms$/],
  ])('refuses %j', (flags, message) => {
    expect(() => devSettings(flags, {})).toThrow(message);
  });
});

describe('devPorts', () => {
  it('puts the scheduler on base/base+1 and agent i on base+10+2i/base+11+2i', () => {
    expect(devPorts(7600)).toEqual({ grpc: '127.0.0.1:7600', http: '127.0.0.1:7601' });
    expect(devPorts(7600, 0)).toEqual({ grpc: '127.0.0.1:7610', http: '127.0.0.1:7611' });
    expect(devPorts(7600, 2)).toEqual({ grpc: '127.0.0.1:7614', http: '127.0.0.1:7615' });
  });

  it('leaves every port to the OS with base 0', () => {
    expect(devPorts(0, 5)).toEqual({ grpc: '127.0.0.1:0', http: '127.0.0.1:0' });
  });

  it('names agents dev-0, dev-1, …', () => {
    expect([0, 1].map(agentName)).toEqual(['dev-0', 'dev-1']);
  });
});

describe('shellQuote', () => {
  it.each([
    ['/home/u/.mo/dev/scheduler/bootstrap-token', '/home/u/.mo/dev/scheduler/bootstrap-token'],
    ['/tmp/my dir/bootstrap-token', "'/tmp/my dir/bootstrap-token'"],
    ["/tmp/it's/x", "'/tmp/it'\\''s/x'"],
  ])('writes %j as %s', (path, word) => {
    expect(shellQuote(path)).toBe(word);
  });
});
