import { describe, expect, it } from '@jest/globals';
import type { ClusterStatus__Output, DockerSpec__Output, Node__Output, ScheduledWorkload__Output } from '@mo/api';
import {
  humanCpu,
  renderClusterStatus,
  renderNodeTable,
  renderScheduledWorkload,
  renderWorkloadLine,
} from './cluster.js';

const NOW = Date.parse('2026-01-02T12:00:00Z');
const GiB = 2 ** 30;

function node(name: string, extra: Partial<Node__Output> = {}): Node__Output {
  return {
    id: `id-${name}`,
    name,
    address: '127.0.0.1:7610',
    state: 'NODE_STATE_UP',
    reason: '',
    eligible: true,
    labels: {},
    facts: null,
    metrics: {
      cpuUtilization: 0.25,
      memoryTotalBytes: 8 * GiB,
      memoryAvailableBytes: 6 * GiB,
      load1: 0,
      load5: 0,
      load15: 0,
      sampledAtMs: NOW,
    },
    capacity: { cpuMillis: 2000, memoryBytes: 8 * GiB, hostPorts: 0 },
    reserved: { cpuMillis: 500, memoryBytes: 2 * GiB, hostPorts: 0 },
    workloadsRunning: 3,
    registeredAtMs: NOW - 60_000,
    lastHeartbeatMs: NOW - 400,
    startFailures: 0,
    avoidUntilMs: 0,
    drain: null,
    ...extra,
  };
}

function workload(extra: Partial<ScheduledWorkload__Output> = {}): ScheduledWorkload__Output {
  return {
    id: '01W',
    spec: {
      id: '01W',
      name: 'web',
      argv: ['sh', '-c', 'echo hi'],
      env: { SECRET: 'x' },
      workingDir: '',
      resources: { cpuMillis: 500, memoryBytes: 64 * 2 ** 20, hostPorts: 0 },
      labels: {},
      gracePeriodMs: 0,
      driver: '',
      docker: null,
      artifacts: null,
      timeoutMs: 0,
      pidsLimit: 0,
      user: '',
      ports: [],
      checks: [],
    },
    scheduling: null,
    idempotencyKey: '',
    state: 'WORKLOAD_STATE_RUNNING',
    reason: 'running on dev-0 (pid 42)',
    allocationId: '01A',
    nodeId: 'id-dev-0',
    nodeName: 'dev-0',
    attempt: 1,
    restartsLeft: 0,
    pid: 42,
    exit: null,
    createdAtMs: NOW - 3000,
    updatedAtMs: NOW - 2000,
    notBeforeMs: 0,
    events: [],
    ports: [],
    outputs: {},
    previousAllocations: [],
    unknownSinceMs: 0,
    lostAtMs: 0,
    runAs: 'nobody (65534:65534)',
    groupId: '',
    groupIndex: 0,
    health: 'HEALTH_UNSPECIFIED',
    checks: [],
    healthChangedAtMs: 0,
    job: '',
    jobVersion: 0,
    jobIndex: 0,
    ...extra,
  };
}

describe('humanCpu', () => {
  it.each([
    [500, '500m'],
    [1000, '1'],
    [1500, '1.5'],
    [2000, '2'],
    [0, '0'],
  ])('%d millicores read as %s', (millis, text) => {
    expect(humanCpu(millis)).toBe(text);
  });
});

describe('renderNodeTable', () => {
  it('shows reservations against capacity, measured use, running workloads and heartbeat age', () => {
    const out = renderNodeTable([node('dev-1'), node('dev-0')], NOW);
    const lines = out.trimEnd().split('\n');
    expect(lines[0]).toMatch(
      /^NAME\s+STATE\s+ELIGIBILITY\s+ADDRESS\s+CPU RESERVED\s+MEMORY RESERVED\s+PORTS\s+CPU USE\s+MEM USE\s+RUNNING\s+HEARTBEAT$/,
    );
    expect(lines[1]).toMatch(
      /^dev-0\s+up\s+eligible\s+127\.0\.0\.1:7610\s+500m\/2 \(25%\)\s+2 GiB\/8 GiB \(25%\)\s+-\s+25\.0%\s+25\.0%\s+3\s+400ms ago$/,
    );
    expect(lines[2]).toMatch(/^dev-1 /);
  });

  it('shows host ports booked against the docker port range', () => {
    const out = renderNodeTable(
      [
        node('dev-0', {
          capacity: { cpuMillis: 2000, memoryBytes: 8 * GiB, hostPorts: 10 },
          reserved: { cpuMillis: 0, memoryBytes: 0, hostPorts: 3 },
        }),
      ],
      NOW,
    );
    expect(out.split('\n')[1]).toMatch(
      /^dev-0\s+up\s+eligible\s+\S+\s+0\/2 \(0%\)\s+0 B\/8 GiB \(0%\)\s+3\/10\s+25\.0%/,
    );
  });

  it('explains a down node under the table', () => {
    const out = renderNodeTable([node('dev-0', { state: 'NODE_STATE_DOWN', reason: 'no heartbeat for 5s' })], NOW);
    expect(out).toMatch(/dev-0\s+down/);
    expect(out).toMatch(/\n {2}dev-0: no heartbeat for 5s\n$/);
  });

  it('shows eligibility and a drain, with what is left under the table', () => {
    const drain = {
      state: 'NODE_DRAIN_STATE_DRAINING' as const,
      startedAtMs: NOW - 60_000,
      deadlineMs: NOW + 600_000,
      force: false,
      drainedAtMs: 0,
      servicesLeft: 2,
      batchLeft: 1,
      workloadsLeft: 0,
    };
    const out = renderNodeTable(
      [
        node('dev-0', { eligible: false, drain }),
        node('dev-1', { eligible: false }),
        node('dev-2', { eligible: false, drain: { ...drain, state: 'NODE_DRAIN_STATE_DRAINED', drainedAtMs: NOW } }),
      ],
      NOW,
    );
    const lines = out.trimEnd().split('\n');
    expect(lines[1]).toMatch(/^dev-0\s+up\s+draining\s/);
    expect(lines[2]).toMatch(/^dev-1\s+up\s+ineligible\s/);
    expect(lines[3]).toMatch(/^dev-2\s+up\s+drained\s/);
    expect(lines[4]).toBe('  dev-0: draining, 2 service instances, 1 batch left, deadline in 10m0s');
  });

  it('says so when no node registered', () => {
    expect(renderNodeTable([], NOW)).toBe('no nodes registered\n');
  });
});

describe('renderClusterStatus', () => {
  it('summarises nodes, reservations, counts and queue, then lists nodes and recent workloads', () => {
    const cs: ClusterStatus__Output = {
      nodes: [node('dev-0'), node('dev-1', { state: 'NODE_STATE_DOWN' })],
      workloadCounts: { running: 1, pending: 1, failed: 0 },
      recent: [
        workload(),
        workload({ id: '01P', state: 'WORKLOAD_STATE_PENDING', reason: '2 nodes: 2 lacked memory', nodeName: '' }),
      ],
      queueDepth: 1,
      schedulerVersion: '0.1.0',
      startedAtMs: NOW - 192_000,
      nodesTotal: 2,
      nodesNextPageToken: '',
      recentNextPageToken: '',
    };
    const out = renderClusterStatus(cs, NOW);
    expect(out).toMatch(/^scheduler\s+v0\.1\.0, up 3m12s$/m);
    expect(out).toMatch(/^nodes\s+2 \(1 up, 1 down\)$/m);
    expect(out).toMatch(/^reserved\s+cpu 1\/4 \(25%\), memory 4 GiB\/16 GiB \(25%\)$/m);
    expect(out).toMatch(/^workloads\s+1 pending, 1 running$/m);
    expect(out).toMatch(/^queue\s+1 pending$/m);
    expect(out).toMatch(/^01W\s+web\s+running\s+dev-0\s+3s\s+sh -c 'echo hi'$/m);
    expect(out).toMatch(/^01P\s+web\s+pending\s+-\s+3s\s+\(2 nodes: 2 lacked memory\)$/m);
  });

  it('adds host ports to the reservations when nodes have a docker port range', () => {
    const ports = (reserved: number) => ({
      capacity: { cpuMillis: 2000, memoryBytes: 8 * GiB, hostPorts: 10 },
      reserved: { cpuMillis: 500, memoryBytes: 2 * GiB, hostPorts: reserved },
    });
    const cs: ClusterStatus__Output = {
      nodes: [node('dev-0', ports(10)), node('dev-1', ports(2))],
      workloadCounts: {},
      recent: [],
      queueDepth: 0,
      schedulerVersion: '',
      startedAtMs: 0,
      nodesTotal: 2,
      nodesNextPageToken: '',
      recentNextPageToken: '',
    };
    expect(renderClusterStatus(cs, NOW)).toMatch(
      /^reserved\s+cpu 1\/4 \(25%\), memory 4 GiB\/16 GiB \(25%\), host ports 12\/20$/m,
    );
  });
});

describe('renderScheduledWorkload', () => {
  it('shows placement, allocation, attempts, exit, resources and the events oldest first', () => {
    const out = renderScheduledWorkload(
      workload({
        state: 'WORKLOAD_STATE_FAILED',
        reason: 'exited with code 3',
        exit: { exited: true, exitCode: 3, signal: '', finishedAtMs: NOW - 1000 },
        attempt: 2,
        restartsLeft: 1,
        scheduling: {
          constraints: { zone: 'a' },
          node: '',
          priority: 'PRIORITY_HIGH',
          restart: {
            mode: 'RESTART_MODE_ON_FAILURE',
            maxAttempts: 2,
            initialBackoffMs: 0,
            maxBackoffMs: 0,
            stableAfterMs: 0,
          },
          strategy: 'PLACEMENT_STRATEGY_UNSPECIFIED',
          batch: false,
        },
        events: [
          { workloadId: '01W', state: 'WORKLOAD_STATE_RUNNING', reason: 'running', atMs: NOW - 2000 },
          { workloadId: '01W', state: 'WORKLOAD_STATE_PENDING', reason: 'submitted', atMs: NOW - 3000 },
        ],
      }),
      NOW,
    );
    expect(out).toMatch(/^state\s+failed$/m);
    expect(out).toMatch(/^node\s+dev-0 \(id-dev-0\)$/m);
    expect(out).toMatch(/^allocation\s+01A$/m);
    expect(out).toMatch(/^attempt\s+2 \(1 restarts left\)$/m);
    expect(out).toMatch(/^exit\s+exit 3$/m);
    expect(out).toMatch(/^resources\s+cpu 500m, memory 64 MiB$/m);
    const docker = workload();
    docker.spec!.resources = { cpuMillis: 0, memoryBytes: 0, hostPorts: 2 };
    expect(renderScheduledWorkload(docker, NOW)).toMatch(/^resources\s+host ports 2$/m);
    expect(out).toMatch(/^scheduling\s+priority high, restart on-failure \(max 2\), constraints zone=a$/m);
    expect(out).toMatch(/^env\s+SECRET$/m);
    expect(out).toMatch(/^user\s+nobody \(65534:65534\)$/m);
    // Before its node has run it: what it asked for.
    const asked = workload({ runAs: '' });
    expect(renderScheduledWorkload(asked, NOW)).toMatch(/^user\s+the node's default$/m);
    asked.spec!.user = 'alice';
    expect(renderScheduledWorkload(asked, NOW)).toMatch(/^user\s+alice \(asked\)$/m);
    expect(out).not.toContain('x\n');
    expect(out.indexOf('submitted')).toBeLessThan(out.indexOf('running\n'));
  });
});

describe('renderScheduledWorkload: earlier allocations', () => {
  it('lists them newest first with attempt, node and how each ended', () => {
    const past = (id: string, attempt: number) => ({
      allocationId: id,
      nodeId: 'i',
      nodeName: 'dev-1',
      attempt,
      state: 'WORKLOAD_STATE_FAILED' as const,
      endedAtMs: NOW,
    });
    const out = renderScheduledWorkload(
      workload({ attempt: 3, previousAllocations: [past('01P1', 1), past('01P2', 2)] }),
      NOW,
    );
    expect(out).toMatch(/^earlier\s+01P2 \(attempt 2 on dev-1, failed\), 01P1 \(attempt 1 on dev-1, failed\)$/m);
    expect(renderScheduledWorkload(workload(), NOW)).not.toMatch(/^earlier/m);
  });
});

describe('renderWorkloadLine', () => {
  it.each([
    [workload(), '01W running on dev-0 (pid 42)\n'],
    [
      workload({ state: 'WORKLOAD_STATE_PENDING', reason: '2 nodes: 2 lacked memory', nodeName: '' }),
      '01W pending: 2 nodes: 2 lacked memory\n',
    ],
    [
      workload({
        state: 'WORKLOAD_STATE_FAILED',
        reason: 'exited with code 3',
        exit: { exited: true, exitCode: 3, signal: '', finishedAtMs: NOW },
      }),
      '01W failed on dev-0 (exit 3): exited with code 3\n',
    ],
    [
      workload({
        state: 'WORKLOAD_STATE_SUCCEEDED',
        reason: 'exited with code 0',
        exit: { exited: true, exitCode: 0, signal: '', finishedAtMs: NOW },
      }),
      '01W succeeded on dev-0 (exit 0)\n',
    ],
    [
      workload({
        ports: [
          { containerPort: 80, hostPort: 32768, hostIp: '', name: '' },
          { containerPort: 443, hostPort: 32769, hostIp: '127.0.0.1', name: '' },
        ],
      }),
      '01W running on dev-0 (pid 42), ports 0.0.0.0:32768->80/tcp, 127.0.0.1:32769->443/tcp\n',
    ],
    [
      workload({
        state: 'WORKLOAD_STATE_STARTING',
        pid: 0,
        spec: { ...workload().spec!, docker: { ports: [80, 443] } as DockerSpec__Output },
      }),
      '01W starting on dev-0; ports 80/tcp, 443/tcp are published once it runs (mo status 01W)\n',
    ],
  ])('%#: %j', (w, line) => {
    expect(renderWorkloadLine(w)).toBe(line);
  });
});

describe('health checks and named ports', () => {
  const checked = (over: Partial<ScheduledWorkload__Output> = {}) =>
    workload({
      health: 'HEALTH_UNHEALTHY',
      healthChangedAtMs: NOW - 5000,
      checks: [
        {
          name: 'ready',
          health: 'HEALTH_UNHEALTHY',
          detail: 'HTTP 503',
          successes: 0,
          failures: 3,
          checkedAtMs: NOW,
          changedAtMs: NOW - 5000,
        },
      ],
      ports: [{ name: 'http', containerPort: 0, hostPort: 31000, hostIp: '0.0.0.0' }],
      job: 'web',
      jobVersion: 2,
      jobIndex: 1,
      ...over,
    });

  it('mo status ID shows the health, each check, the named ports and the job', () => {
    const out = renderScheduledWorkload(checked(), NOW);
    expect(out).toMatch(/^health\s+unhealthy since 2026-01-02T11:59:55.000Z \(5s ago\)$/m);
    expect(out).toMatch(/^checks\s+ready unhealthy \(HTTP 503; 3 failures in a row\)$/m);
    expect(out).toMatch(/^ports\s+http=0.0.0.0:31000$/m);
    expect(out).toMatch(/^job\s+web version 2, index 1 \(mo job status web\)$/m);
  });

  it('says checks were declared but not reported yet, and nothing about health without checks', () => {
    const w = checked({ health: 'HEALTH_UNSPECIFIED', checks: [], job: '' });
    w.spec = { ...w.spec!, checks: [{ name: 'ready' } as never] };
    expect(renderScheduledWorkload(w, NOW)).toMatch(/^health\s+not reported yet$/m);
    // An ended one will never report: no line rather than a promise.
    expect(renderScheduledWorkload({ ...w, state: 'WORKLOAD_STATE_FAILED' }, NOW)).not.toMatch(/^health/m);
    expect(renderScheduledWorkload(workload(), NOW)).not.toMatch(/^(health|checks|job)\s/m);
  });

  it("the one-line summary carries a live workload's health, and a docker named port its mapping", () => {
    expect(
      renderWorkloadLine(
        checked({
          health: 'HEALTH_HEALTHY',
          ports: [{ name: 'http', containerPort: 8080, hostPort: 31000, hostIp: '0.0.0.0' }],
        }),
      ),
    ).toBe('01W running on dev-0 (pid 42), healthy, ports http=0.0.0.0:31000->8080/tcp\n');
  });
});
