// Named ports and health checks of a docker sandbox through a real agent and a real engine: a
// named port is published host port → container port, busybox httpd behind it becomes healthy by
// http and tcp checks on the host port and an exec check run inside the container (docker exec).
// Needs docker.io and mo-sandbox:latest (deploy/sandbox/build.sh); the agent finds the engine at
// MO_DOCKER_SOCKET when set.
import { afterAll, beforeAll, expect, it, describe } from '@jest/globals';
import { Health, WorkloadState, type CheckSpec } from '@mo/api';
import {
  dockerReady,
  removeContainersOfNode,
  requireTool,
  SANDBOX_IMAGE,
  startAgentProcess,
  waitFor,
  type AgentProcess,
} from '@mo/testkit';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const ready = requireTool(dockerReady(), 'a Docker engine with mo-sandbox:latest (docker.io; deploy/sandbox/build.sh)');
const suite = ready ? describe : describe.skip;
const BASE = 43000 + Math.floor(Math.random() * 400) * 10;

const check = (over: Partial<CheckSpec>): CheckSpec => ({
  name: 'web',
  kind: 'http',
  port: 'http',
  path: '/index.html',
  expectStatus: 200,
  command: [],
  intervalMs: 300,
  timeoutMs: 250,
  successThreshold: 1,
  failureThreshold: 2,
  restartAfter: 0,
  initialDelayMs: 0,
  ...over,
});

suite('named ports and health checks (docker driver)', () => {
  let agent: AgentProcess;
  const agents: AgentProcess[] = [];
  const args = ['--port-range', `${BASE}-${BASE + 3}`];

  beforeAll(async () => {
    agent = await startAgentProcess({ extraArgs: args });
    agents.push(agent);
  });

  afterAll(async () => {
    for (const a of agents) await a.kill('SIGTERM');
    removeContainersOfNode(readFileSync(join(agent.dataDir, 'node-id'), 'utf8').trim());
  });

  const healthy = (a: AgentProcess, id: string) =>
    waitFor(
      'the sandbox to be healthy',
      async () => {
        const s = await a.client.getWorkload(id);
        return s.health === Health.HEALTH_HEALTHY ? s : undefined;
      },
      { timeoutMs: 30_000 },
    );

  it('publishes a named port to its container port; http, tcp and docker-exec checks make it healthy', async () => {
    const w = await agent.client.startWorkload({
      driver: 'docker',
      docker: { image: SANDBOX_IMAGE, network: 'bridge' },
      argv: ['sh', '-c', 'echo ok > /tmp/index.html; exec httpd -f -p 8080 -h /tmp'],
      ports: [{ name: 'http', to: 8080 }],
      gracePeriodMs: 1000,
      checks: [
        check({ name: 'web' }),
        check({ name: 'listening', kind: 'tcp', path: '', expectStatus: 0 }),
        // Inside the container: its env says where it listens, and its files are there.
        check({
          name: 'inside',
          kind: 'exec',
          port: '',
          path: '',
          expectStatus: 0,
          command: ['sh', '-c', 'test "$MO_PORT_HTTP" = 8080 && test -f /tmp/index.html'],
          timeoutMs: 2000,
          intervalMs: 2000,
        }),
      ],
    });
    const id = w.spec!.id;
    expect(w.ports).toEqual([expect.objectContaining({ name: 'http', containerPort: 8080 })]);
    const hostPort = w.ports[0]!.hostPort;
    expect(hostPort).toBeGreaterThanOrEqual(BASE);
    expect(hostPort).toBeLessThanOrEqual(BASE + 3);

    const now = await healthy(agent, id);
    expect(Object.fromEntries(now.checks.map((c) => [c.name, c.detail]))).toEqual({
      web: 'HTTP 200',
      listening: 'connected',
      inside: 'exit 0',
    });
    const body = await (await fetch(`http://127.0.0.1:${hostPort}/index.html`)).text();
    expect(body).toBe('ok\n');

    const stopped = await agent.client.stopWorkload(id, 1000);
    expect(stopped.state).toBe(WorkloadState.WORKLOAD_STATE_STOPPED);
    expect(stopped.ports).toEqual([]);
  });

  it('keeps the port and health of a sandbox across an agent SIGKILL; its docker exec check goes on', async () => {
    const w = await agent.client.startWorkload({
      driver: 'docker',
      docker: { image: SANDBOX_IMAGE, network: 'bridge' },
      argv: ['sh', '-c', 'echo ok > /tmp/index.html; exec httpd -f -p 8080 -h /tmp'],
      ports: [{ name: 'http', to: 8080 }],
      gracePeriodMs: 1000,
      checks: [
        check({
          name: 'inside',
          kind: 'exec',
          port: '',
          path: '',
          expectStatus: 0,
          command: ['test', '-f', '/tmp/index.html'],
          timeoutMs: 2000,
          intervalMs: 2000,
        }),
      ],
    });
    const id = w.spec!.id;
    const hostPort = w.ports[0]!.hostPort;
    const before = await healthy(agent, id);
    await waitFor('the healthy record on disk', () =>
      readFileSync(join(agent.dataDir, 'workloads', id, 'workload.json'), 'utf8').includes('"status":"healthy"'),
    );

    await agent.kill('SIGKILL');
    const second = await startAgentProcess({ dataDir: agent.dataDir, extraArgs: args });
    agents.push(second);
    const after = await second.client.getWorkload(id);
    expect(after.state).toBe(WorkloadState.WORKLOAD_STATE_RUNNING);
    expect(after.ports).toEqual([expect.objectContaining({ name: 'http', containerPort: 8080, hostPort })]);
    expect(after.health).toBe(Health.HEALTH_HEALTHY);
    await waitFor(
      'the exec check to pass again after the restart',
      async () => (await second.client.getWorkload(id)).checks[0]!.successes > before.checks[0]!.successes,
      { timeoutMs: 20_000 },
    );
    await second.client.stopWorkload(id, 1000);
  });
});
