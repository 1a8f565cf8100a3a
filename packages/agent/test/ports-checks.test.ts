// Named ports and health checks on a real mo-agent process over real gRPC: a process gets its
// ports in $MO_PORT_*/$MO_ADDR_*, python3's http.server on it becomes healthy by http, tcp and exec
// checks, a failing check makes it unhealthy and, at restart_after, ends it failed; an agent
// SIGKILL and restart keeps its ports and its health. Nothing here asserts a duration.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Health, WorkloadState, type CheckSpec, type WorkloadSpec, type WorkloadStatus__Output } from '@mo/api';
import { requireTool, startAgentProcess, testFetch, waitFor, type AgentProcess } from '@mo/testkit';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

// The agent's default PATH for workloads (workloads/validate.ts DEFAULT_PATH).
const WORKLOAD_PATH = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];
const hasPython = WORKLOAD_PATH.some((d) => existsSync(join(d, 'python3')));

// A range of the test's own (the pool skips a port another program holds): two ports, so that
// what a restarted agent reserves again shows.
const BASE = 42000 + Math.floor(Math.random() * 400) * 10;
const RANGE = `${BASE}-${BASE + 1}`;

const started: AgentProcess[] = [];
let agent: AgentProcess;

beforeAll(async () => {
  if (!requireTool(hasPython, 'python3 in the workloads PATH')) return;
  agent = await startAgentProcess({ extraArgs: ['--port-range', RANGE] });
  started.push(agent);
});

afterAll(async () => {
  for (const a of started) {
    try {
      const status = await a.client.getNodeStatus();
      await Promise.all(
        status.workloads
          .filter((w) => w.state === WorkloadState.WORKLOAD_STATE_RUNNING)
          .map((w) => a.client.stopWorkload(w.spec!.id, 100)),
      );
    } catch {
      // killed already
    }
    await a.kill('SIGTERM');
  }
});

const check = (over: Partial<CheckSpec>): CheckSpec => ({
  name: 'web',
  kind: 'http',
  port: 'http',
  path: '/',
  expectStatus: 0,
  command: [],
  intervalMs: 200,
  timeoutMs: 150,
  successThreshold: 1,
  failureThreshold: 2,
  restartAfter: 0,
  initialDelayMs: 0,
  ...over,
});

/** python3's http.server on $MO_PORT_HTTP, its env echoed first. */
const server = (over: Partial<WorkloadSpec> = {}): WorkloadSpec => ({
  name: 'web',
  argv: [
    'sh',
    '-c',
    'echo "port=$MO_PORT_HTTP addr=$MO_ADDR_HTTP"; exec python3 -m http.server "$MO_PORT_HTTP" --bind 127.0.0.1',
  ],
  ports: [{ name: 'http', to: 0 }],
  gracePeriodMs: 2000,
  ...over,
});

function stdoutOf(a: AgentProcess, id: string): string {
  try {
    return readFileSync(join(a.dataDir, 'workloads', id, 'stdout.log'), 'utf8');
  } catch {
    return '';
  }
}

async function waitForHealth(a: AgentProcess, id: string, health: string): Promise<WorkloadStatus__Output> {
  return waitFor(
    `workload ${id} to be ${health}`,
    async () => {
      const s = await a.client.getWorkload(id);
      return s.health === health ? s : undefined;
    },
    { timeoutMs: 20_000 },
  );
}

describe('named ports and health checks (process driver)', () => {
  it('gives a process its port in the env (the agent’s values win) and its status, and http, tcp and exec checks make it healthy', async () => {
    if (!hasPython) return;
    const w = await agent.client.startWorkload(
      server({
        env: { MO_PORT_HTTP: '1' }, // overridden: the agent's value wins
        checks: [
          check({ name: 'web' }),
          check({ name: 'listening', kind: 'tcp', path: '' }),
          // In the workload's env: the check sees $MO_PORT_HTTP too.
          check({ name: 'env', kind: 'exec', port: '', path: '', command: ['sh', '-c', 'test -n "$MO_PORT_HTTP"'] }),
        ],
      }),
    );
    const id = w.spec!.id;
    expect(w.ports).toHaveLength(1);
    const port = w.ports[0]!;
    expect(port).toMatchObject({ name: 'http', containerPort: 0 });
    expect([BASE, BASE + 1]).toContain(port.hostPort);

    const healthy = await waitForHealth(agent, id, Health.HEALTH_HEALTHY);
    expect(healthy.checks.map((c) => [c.name, c.health]).sort()).toEqual([
      ['env', Health.HEALTH_HEALTHY],
      ['listening', Health.HEALTH_HEALTHY],
      ['web', Health.HEALTH_HEALTHY],
    ]);
    expect(healthy.checks.find((c) => c.name === 'web')!.detail).toBe('HTTP 200');
    expect(Number(healthy.healthChangedAtMs)).toBeGreaterThan(0);
    expect(stdoutOf(agent, id)).toContain(`port=${port.hostPort} addr=127.0.0.1:${port.hostPort}`);

    // Counted by kind and result, and the workload by its health.
    const metrics = await (await testFetch(`https://${agent.httpAddress}/metrics`)).text();
    expect(metrics).toMatch(/^mo_agent_check_results_total\{kind="http",result="pass"\} [1-9]/m);
    expect(metrics).toMatch(/^mo_agent_check_results_total\{kind="exec",result="pass"\} [1-9]/m);
    expect(metrics).toMatch(/^mo_agent_workloads_by_health\{health="healthy"\} 1$/m);

    // Node status lists it the same way.
    const inNode = (await agent.client.getNodeStatus()).workloads.find((s) => s.spec!.id === id)!;
    expect(inNode.health).toBe(Health.HEALTH_HEALTHY);
    expect(inNode.ports[0]).toMatchObject({ name: 'http', hostPort: port.hostPort });

    const stopped = await agent.client.stopWorkload(id, 2000);
    expect(stopped.state).toBe(WorkloadState.WORKLOAD_STATE_STOPPED);
    // Ended: its ports are released and its health no longer reported.
    expect(stopped.ports).toEqual([]);
    expect(stopped.health).toBe(Health.HEALTH_UNSPECIFIED);
  });

  it('becomes unhealthy when a check fails', async () => {
    if (!hasPython) return;
    const w = await agent.client.startWorkload(
      server({ checks: [check({ name: 'missing', path: '/no-such-page', failureThreshold: 2 })] }),
    );
    const id = w.spec!.id;
    // Refused connections count too until the server listens: waited for, the 404s that follow.
    const unhealthy = await waitFor(
      'the check to fail with HTTP 404',
      async () => {
        const s = await agent.client.getWorkload(id);
        return s.health === Health.HEALTH_UNHEALTHY && s.checks[0]?.detail === 'HTTP 404' ? s : undefined;
      },
      { timeoutMs: 20_000 },
    );
    expect(unhealthy.checks[0]).toMatchObject({ name: 'missing', health: Health.HEALTH_UNHEALTHY });
    expect(unhealthy.checks[0]!.failures).toBeGreaterThanOrEqual(2);
    // Unhealthy is news, not an end: without restart_after it keeps running.
    expect(unhealthy.state).toBe(WorkloadState.WORKLOAD_STATE_RUNNING);
    await agent.client.stopWorkload(id, 2000);
  });

  it('ends failed, the check in its reason, when a check fails restart_after times in a row', async () => {
    const w = await agent.client.startWorkload({
      argv: ['sleep', '300'],
      gracePeriodMs: 2000,
      checks: [
        check({
          name: 'broken',
          kind: 'exec',
          port: '',
          path: '',
          command: ['sh', '-c', 'echo no such table >&2; exit 1'],
          failureThreshold: 1,
          restartAfter: 3,
        }),
      ],
    });
    const id = w.spec!.id;
    const ended = await waitFor(
      'the workload to end after its check failed 3 times',
      async () => {
        const s = await agent.client.getWorkload(id);
        return s.state === WorkloadState.WORKLOAD_STATE_FAILED ? s : undefined;
      },
      { timeoutMs: 20_000 },
    );
    expect(ended.reason).toBe('check "broken" failed 3 times in a row: exit 1: no such table (killed by SIGTERM)');
    expect(ended.health).toBe(Health.HEALTH_UNSPECIFIED);
  });

  it('refuses ports and checks that do not hold together, naming the field', async () => {
    await expect(
      agent.client.startWorkload({
        argv: ['sleep', '1'],
        ports: [{ name: 'http', to: 0 }],
        checks: [check({ port: 'web' })],
      }),
    ).rejects.toThrow('spec.checks[0].port: unknown port "web" (declared: http)');
    await expect(
      agent.client.startWorkload({
        argv: ['sleep', '1'],
        ports: [
          { name: 'http', to: 0 },
          { name: 'http', to: 0 },
        ],
      }),
    ).rejects.toThrow('spec.ports[1].name: duplicate port "http" (also spec.ports[0])');
    await expect(
      agent.client.startWorkload({ argv: ['sleep', '1'], ports: [{ name: 'http', to: 80 }] }),
    ).rejects.toThrow('spec.ports[0].to: is only for driver docker');
  });

  it('keeps ports and health across an agent SIGKILL and restart (no reset to starting)', async () => {
    if (!hasPython) return;
    const first = await startAgentProcess({ extraArgs: ['--port-range', RANGE] }).catch(() => undefined);
    // The shared agent holds nothing now; this one is on a data dir of its own.
    expect(first).toBeDefined();
    started.push(first!);
    const w = await first!.client.startWorkload(
      server({ checks: [check({ name: 'web', successThreshold: 1, intervalMs: 300, timeoutMs: 250 })] }),
    );
    const id = w.spec!.id;
    const hostPort = w.ports[0]!.hostPort;
    const before = await waitForHealth(first!, id, Health.HEALTH_HEALTHY);
    // Saved when it changed; the write may trail the status by a moment.
    await waitFor('the healthy record on disk', () =>
      readFileSync(join(first!.dataDir, 'workloads', id, 'workload.json'), 'utf8').includes('"status":"healthy"'),
    );

    await first!.kill('SIGKILL');
    const second = await startAgentProcess({ dataDir: first!.dataDir, extraArgs: ['--port-range', RANGE] });
    started.push(second);
    const after = await second.client.getWorkload(id);
    expect(after.state).toBe(WorkloadState.WORKLOAD_STATE_RUNNING);
    expect(after.ports).toEqual([expect.objectContaining({ name: 'http', hostPort })]);
    // Straight from the record: healthy, as when the agent died, never `starting` again.
    expect(after.health).toBe(Health.HEALTH_HEALTHY);
    expect(after.checks[0]!.health).toBe(Health.HEALTH_HEALTHY);
    expect(Number(after.healthChangedAtMs)).toBe(Number(before.healthChangedAtMs));
    // Its checks go on: more passes in a row than it had.
    await waitFor('more passes after the restart', async () => {
      const s = await second.client.getWorkload(id);
      return s.checks[0]!.successes > before.checks[0]!.successes && s.health === Health.HEALTH_HEALTHY;
    });

    // Its host port stays reserved: a new workload gets the other one of the two, a third none.
    const other = await second.client.startWorkload({ argv: ['sleep', '30'], ports: [{ name: 'p', to: 0 }] });
    expect(other.ports[0]!.hostPort).not.toBe(hostPort);
    await expect(second.client.startWorkload({ argv: ['sleep', '30'], ports: [{ name: 'p', to: 0 }] })).rejects.toThrow(
      /spec\.ports: no free host port/,
    );
  });
});
