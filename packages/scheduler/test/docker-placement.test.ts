// Docker workloads through the scheduler: placed only on nodes whose agent has a Docker engine,
// the sandbox fields reach the agent, and the published port shows in `mo status ID`.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { SchedulerClient, ScheduledWorkload__Output } from '@mo/api';
import { dockerReady, requireTool, runMo, startCluster, waitFor, type Cluster } from '@mo/testkit';

const ready = requireTool(dockerReady(), 'a Docker engine with mo-sandbox:latest (docker.io; deploy/sandbox/build.sh)');
const suite = ready ? describe : describe.skip;

suite('docker workloads through the scheduler', () => {
  let cluster: Cluster;
  let client: SchedulerClient;

  beforeAll(async () => {
    // node-1 has no engine (its socket path leads nowhere); node-2 has the real one.
    cluster = await startCluster({
      agents: 2,
      agentArgs: (i) => (i === 0 ? ['--docker-socket', '/nonexistent/docker.sock'] : ['--docker-ports', '3961-3970']),
    });
    client = cluster.scheduler.client;
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  it('lands every docker workload on the node with docker, with its sandbox and published port', async () => {
    const { nodes } = await client.listNodes();
    const byName = new Map(nodes.map((n) => [n.name, n]));
    expect(byName.get('node-1')?.facts?.drivers).toEqual(['process']);
    expect(byName.get('node-2')?.facts?.drivers).toEqual(['process', 'docker']);

    const submitted = await Promise.all(
      Array.from({ length: 4 }, () =>
        client.submitWorkload({
          spec: {
            argv: ['sh', '-c', 'echo hi > /tmp/index.html; exec httpd -f -p 8080 -h /tmp'],
            driver: 'docker',
            docker: { image: 'mo-sandbox:latest', network: 'bridge', ports: [8080] },
            resources: { cpuMillis: 100, memoryBytes: 32 * 1024 * 1024 },
          },
          // Spread would put half of them on node-1 if it were feasible.
          scheduling: { strategy: 'PLACEMENT_STRATEGY_SPREAD' },
        }),
      ),
    );
    const ids = submitted.map((s) => s.workload!.id);
    const running: ScheduledWorkload__Output[] = await Promise.all(
      ids.map((id) =>
        waitFor(`${id} running`, async () => {
          const w = await client.getWorkload(id);
          return w.state === 'WORKLOAD_STATE_RUNNING' ? w : undefined;
        }),
      ),
    );
    for (const w of running) {
      expect(w.nodeName).toBe('node-2');
      expect(w.spec?.docker?.ports).toEqual([8080]);
      expect(w.ports).toHaveLength(1);
      expect(w.ports[0]!.containerPort).toBe(8080);
      expect(w.ports[0]!.hostPort).toBeGreaterThanOrEqual(3961);
    }
    expect(new Set(running.map((w) => w.ports[0]!.hostPort)).size).toBe(4);

    const out = await mo(['status', ids[0]!]);
    expect(out).toMatch(/sandbox\s+mo-sandbox:latest, network bridge, read-only root/);
    expect(out).toContain(`0.0.0.0:${running[0]!.ports[0]!.hostPort}->8080/tcp`);

    await Promise.all(ids.map((id) => client.stopWorkload(id, 1000)));
  });

  async function mo(args: string[]): Promise<string> {
    const r = await runMo(['--scheduler', cluster.scheduler.grpcAddress, ...args], { timeoutMs: 60_000 });
    if (r.code !== 0)
      throw new Error(`mo ${args.join(' ')} exited ${r.code}
${r.stderr}`);
    return r.stdout;
  }
});
