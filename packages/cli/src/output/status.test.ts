import { describe, expect, it } from '@jest/globals';
import type { NodeStatus__Output, WorkloadStatus__Output } from '@mo/api';
import { renderNodeStatus, renderStarted, renderStopped, renderWorkload } from './status.js';

const NOW = Date.UTC(2025, 0, 1, 12, 0, 0);

function workload(overrides: Partial<WorkloadStatus__Output> & { id: string; argv: string[] }): WorkloadStatus__Output {
  const { id, argv, ...rest } = overrides;
  return {
    spec: {
      id,
      name: '',
      argv,
      env: {},
      workingDir: '/var/lib/mo/agent/workloads/x/work',
      resources: { cpuMillis: 0, memoryBytes: 0, hostPorts: 0 },
      labels: {},
      gracePeriodMs: 10_000,
      driver: 'process',
      docker: null,
      artifacts: null,
      timeoutMs: 0,
      pidsLimit: 0,
      user: '',
      ports: [],
      checks: [],
    },
    state: 'WORKLOAD_STATE_RUNNING',
    reason: '',
    pid: 0,
    createdAtMs: NOW - 200_000,
    startedAtMs: NOW - 192_000,
    exit: null,
    usage: null,
    ports: [],
    outputs: {},
    outputsIgnored: 0,
    runAs: 'nobody (65534:65534)',
    health: 'HEALTH_UNSPECIFIED',
    checks: [],
    healthChangedAtMs: 0,
    ...rest,
  };
}

const running = workload({
  id: '01JAAAAAAAAAAAAAAAAAAAAAAA',
  argv: ['python3', '-m', 'http.server', '8080'],
  pid: 4242,
  reason: 'started (pid 4242)',
  usage: { cpuPercent: 1.25, rssBytes: 2.5 * 2 ** 20, processes: 0 },
});
const failed = workload({
  id: '01JBBBBBBBBBBBBBBBBBBBBBBB',
  argv: ['sh', '-c', 'exit 3'],
  state: 'WORKLOAD_STATE_FAILED',
  pid: 4300,
  createdAtMs: NOW - 100_000,
  exit: { exited: true, exitCode: 3, signal: '', finishedAtMs: NOW - 90_000 },
});
const killed = workload({
  id: '01JCCCCCCCCCCCCCCCCCCCCCCC',
  argv: ['sleep', '1000'],
  state: 'WORKLOAD_STATE_STOPPED',
  reason: 'stopped by request',
  pid: 4400,
  createdAtMs: NOW - 50_000,
  exit: { exited: false, exitCode: 0, signal: 'SIGKILL', finishedAtMs: NOW - 1000 },
  usage: { cpuPercent: 99, rssBytes: 1, processes: 0 },
});

const node: NodeStatus__Output = {
  facts: {
    nodeName: 'n1',
    hostname: 'host-1',
    cpuModel: 'AMD EPYC',
    cpuCores: 8,
    memoryTotalBytes: 16 * 2 ** 30,
    os: 'Debian GNU/Linux 12',
    kernel: '6.1.0',
    arch: 'x64',
    drivers: ['process'],
    dockerAvailable: true,
    dockerVersion: '24.0.7',
    bootId: 'b',
    cgroupMode: '',
    enforcedLimits: [],
    agentVersion: '0.1.0',
  },
  metrics: {
    cpuUtilization: 0.125,
    memoryTotalBytes: 16 * 2 ** 30,
    memoryAvailableBytes: 12 * 2 ** 30,
    load1: 0.5,
    load5: 0.25,
    load15: 0,
    sampledAtMs: NOW,
  },
  // Out of creation order on purpose: the table sorts oldest first.
  workloads: [killed, running, failed],
  nextPageToken: '',
};

describe('renderNodeStatus', () => {
  it('prints node facts and metrics, then one row per workload, oldest first', () => {
    expect(renderNodeStatus(node, NOW)).toBe(
      [
        'node       n1 (host host-1)',
        'os         Debian GNU/Linux 12 6.1.0 x64',
        'cpu        AMD EPYC, 8 cores',
        'cpu used   12.5%',
        'memory     4 GiB / 16 GiB used (25.0%)',
        'load       0.50 0.25 0.00',
        'docker     yes (24.0.7)',
        'cgroups    none (process trees found from /proc, no limits)',
        'agent      0.1.0',
        'workloads  3 (1 running)',
        '',
        'ID                          NAME  STATE     PID  CPU%      RSS  AGE/EXIT  COMMAND',
        '01JAAAAAAAAAAAAAAAAAAAAAAA  -     running  4242   1.3  2.5 MiB  3m12s     python3 -m http.server 8080',
        "01JBBBBBBBBBBBBBBBBBBBBBBB  -     failed   4300     -        -  exit 3    sh -c 'exit 3'",
        '01JCCCCCCCCCCCCCCCCCCCCCCC  -     stopped  4400     -        -  SIGKILL   sleep 1000',
        '',
      ].join('\n'),
    );
  });

  it('says so when there are no workloads', () => {
    expect(
      renderNodeStatus({ ...node, workloads: [] }, NOW).endsWith('workloads  0 (0 running)\n\nno workloads\n'),
    ).toBe(true);
  });

  it('says how process workloads are contained', () => {
    const facts = node.facts && { ...node.facts, cgroupMode: 'v2', enforcedLimits: ['cpu', 'memory', 'pids'] };
    expect(renderNodeStatus({ ...node, facts }, NOW)).toContain('cgroups    v2 (limits: cpu, memory, pids)\n');
  });

  it('says docker is missing', () => {
    const text = renderNodeStatus({ ...node, facts: node.facts && { ...node.facts, dockerAvailable: false } }, NOW);
    expect(text).toContain('docker     no\n');
  });
});

describe('renderWorkload', () => {
  it('lists every field, with env keys but not their values', () => {
    const w = workload({
      id: '01JDDDDDDDDDDDDDDDDDDDDDDD',
      argv: ['env'],
      pid: 77,
      reason: 'started (pid 77)',
      usage: { cpuPercent: 0.5, rssBytes: 2048, processes: 0 },
    });
    w.spec = w.spec && {
      ...w.spec,
      name: 'web',
      env: { SECRET: 'hunter2', A: '1' },
      labels: { team: 'core' },
      resources: { cpuMillis: 500, memoryBytes: 512 * 2 ** 20, hostPorts: 0 },
    };
    const text = renderWorkload(w, NOW);
    expect(text).toBe(
      [
        'id         01JDDDDDDDDDDDDDDDDDDDDDDD',
        'name       web',
        'state      running',
        'reason     started (pid 77)',
        'pid        77',
        'argv       env',
        'cwd        /var/lib/mo/agent/workloads/x/work',
        'user       nobody (65534:65534)',
        'env        A, SECRET',
        'labels     team=core',
        'resources  cpu 500m, memory 512 MiB',
        'grace      10s',
        'driver     process',
        'created    2025-01-01T11:56:40.000Z (3m20s ago)',
        'started    2025-01-01T11:56:48.000Z (3m12s ago)',
        'cpu        0.5%',
        'rss        2 KiB',
        '',
      ].join('\n'),
    );
    expect(text).not.toContain('hunter2');
  });

  it('shows how an ended workload finished', () => {
    const text = renderWorkload(failed, NOW);
    expect(text).toContain('state     failed\n');
    expect(text).toContain('finished  2025-01-01T11:58:30.000Z (1m30s ago)\n');
    expect(text).toContain('exit      exit 3\n');
    expect(text).not.toContain('rss');
  });
});

describe('one-line summaries', () => {
  it('prints the id and pid of a started workload', () => {
    expect(renderStarted(running)).toBe('started 01JAAAAAAAAAAAAAAAAAAAAAAA (pid 4242)\n');
  });

  it('prints the final state of a stopped workload', () => {
    expect(renderStopped(killed)).toBe('01JCCCCCCCCCCCCCCCCCCCCCCC stopped (SIGKILL): stopped by request\n');
  });
});

describe('renderWorkload: docker sandboxes', () => {
  it('shows the sandbox and its published ports', () => {
    const w = workload({ id: '01JDDDDDDDDDDDDDDDDDDDDDDD', argv: ['httpd', '-f', '-p', '3000'] });
    w.spec!.driver = 'docker';
    w.spec!.docker = {
      image: 'mo-sandbox:latest',
      network: 'bridge',
      writableRoot: false,
      ports: [3000],
      mounts: [{ source: '/srv/ws', target: '/ws', readOnly: true }],
      pidsLimit: 256,
      capAdd: [],
      allowNewPrivileges: false,
    };
    w.ports = [{ containerPort: 3000, hostPort: 3001, hostIp: '0.0.0.0', name: '' }];
    const out = renderWorkload(w, NOW);
    expect(out).toMatch(
      /sandbox\s+mo-sandbox:latest, network bridge, read-only root, pids 256, mount \/srv\/ws:\/ws:ro/,
    );
    expect(out).toMatch(/ports\s+0\.0\.0\.0:3001->3000\/tcp/);
  });
});
