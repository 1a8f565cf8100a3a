// A real cluster: one mo-scheduler and three mo-agents as separate processes on loopback, over
// real gRPC. Placement spread/bin-pack, waiting for capacity, node loss and fencing.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  RegistryClient,
  type SchedulerClient,
  type ScheduledWorkload__Output,
  type SubmitWorkloadRequest,
} from '@mo/api';
import { isAlive, startCluster, waitFor, type Cluster, agentCertificate, testClientOptions } from '@mo/testkit';

const MiB = 1024 * 1024;

// Generous waits: CI runs these next to other suites on two cores.
async function running(client: SchedulerClient, id: string): Promise<ScheduledWorkload__Output> {
  return waitFor(
    `workload ${id} running`,
    async () => {
      const w = await client.getWorkload(id);
      return w.state === 'WORKLOAD_STATE_RUNNING' ? w : undefined;
    },
    { timeoutMs: 30_000 },
  );
}

function sleeper(extra: Partial<SubmitWorkloadRequest> = {}, cpuMillis = 100, memoryBytes = 16 * MiB) {
  return { spec: { argv: ['sleep', '600'], resources: { cpuMillis, memoryBytes } }, ...extra };
}

async function stopAll(client: SchedulerClient, ids: string[]): Promise<void> {
  await Promise.all(ids.map((id) => client.stopWorkload(id, 1000)));
}

function perNode(ws: ScheduledWorkload__Output[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const w of ws) m.set(w.nodeName, (m.get(w.nodeName) ?? 0) + 1);
  return m;
}

describe('a scheduler with three agents', () => {
  let cluster: Cluster;
  let client: SchedulerClient;

  beforeAll(async () => {
    // 1000 millicores and 1 GiB each: small enough that the tests below fill nodes. Ranking on
    // declared reservations only (--reserved-weight 1): the three agents share one busy host, so
    // their measured CPU is noise here (load-aware ranking has its own unit tests).
    cluster = await startCluster({
      agents: 3,
      schedulerArgs: ['--reserved-weight', '1'],
      agentArgs: () => ['--capacity-cpu', '1000', '--capacity-memory', String(1024 * MiB)],
    });
    client = cluster.scheduler.client;
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  it('lists the three nodes up with their capacity', async () => {
    const { nodes } = await client.listNodes();
    expect(nodes.map((n) => n.name)).toEqual(['node-1', 'node-2', 'node-3']);
    for (const n of nodes) {
      expect(n.state).toBe('NODE_STATE_UP');
      // Host ports: the agent's default docker port range, 3001-4000.
      expect(n.capacity).toEqual({ cpuMillis: 1000, memoryBytes: 1024 * MiB, hostPorts: 1000 });
      expect(n.facts?.cpuCores).toBeGreaterThan(0);
    }
  });

  it('spreads 30 equal workloads 10±2 per node', async () => {
    const ws = await Promise.all(
      Array.from({ length: 30 }, () =>
        client.submitWorkload(sleeper({ scheduling: { strategy: 'PLACEMENT_STRATEGY_SPREAD' } }, 20, MiB)),
      ),
    );
    const ids = ws.map((w) => w.workload!.id);
    const placed = await Promise.all(ids.map((id) => running(client, id)));
    const counts = perNode(placed);
    expect([...counts.keys()].sort()).toEqual(['node-1', 'node-2', 'node-3']);
    for (const n of counts.values()) {
      expect(n).toBeGreaterThanOrEqual(8);
      expect(n).toBeLessThanOrEqual(12);
    }
    await stopAll(client, ids);
  });

  it('bin-packs: fills one node before using the next', async () => {
    // 100 m each on 1000 m nodes: ten fit on a node.
    const ids: string[] = [];
    const nodes: string[] = [];
    for (let i = 0; i < 15; i++) {
      const { workload } = await client.submitWorkload(
        sleeper({ scheduling: { strategy: 'PLACEMENT_STRATEGY_BINPACK' } }, 100, MiB),
      );
      ids.push(workload!.id);
      nodes.push(workload!.nodeName);
    }
    expect(new Set(nodes.slice(0, 10)).size).toBe(1);
    expect(new Set(nodes.slice(10)).size).toBe(1);
    expect(nodes[10]).not.toBe(nodes[0]);
    await Promise.all(ids.map((id) => running(client, id)));
    await stopAll(client, ids);
  });

  it('keeps a workload that fits nowhere pending with its reason, and runs it once capacity frees', async () => {
    const fillers = await Promise.all(
      [1, 2, 3].map((i) => client.submitWorkload(sleeper({ scheduling: { node: `node-${i}` } }, 100, 700 * MiB))),
    );
    const fillerIds = fillers.map((f) => f.workload!.id);
    await Promise.all(fillerIds.map((id) => running(client, id)));

    const { workload: big } = await client.submitWorkload(sleeper({}, 100, 600 * MiB));
    expect(big!.state).toBe('WORKLOAD_STATE_PENDING');
    expect(big!.reason).toBe('waiting: 3 nodes: 3 lacked memory');
    const status = await client.getClusterStatus();
    expect(status.queueDepth).toBeGreaterThanOrEqual(1);

    await client.stopWorkload(fillerIds[1]!, 1000);
    const placed = await running(client, big!.id);
    expect(placed.nodeName).toBe('node-2');
    await stopAll(client, [fillerIds[0]!, fillerIds[2]!, big!.id]);
  });

  it('places what waits by priority: high before an older low', async () => {
    const fillers = await Promise.all(
      [1, 2, 3].map((i) => client.submitWorkload(sleeper({ scheduling: { node: `node-${i}` } }, 900, MiB))),
    );
    const fillerIds = fillers.map((f) => f.workload!.id);
    await Promise.all(fillerIds.map((id) => running(client, id)));
    const low = await client.submitWorkload(sleeper({ scheduling: { priority: 'PRIORITY_LOW' } }, 600, MiB));
    const high = await client.submitWorkload(sleeper({ scheduling: { priority: 'PRIORITY_HIGH' } }, 600, MiB));
    expect(low.workload!.state).toBe('WORKLOAD_STATE_PENDING');
    expect(high.workload!.state).toBe('WORKLOAD_STATE_PENDING');
    // Room for one of them: the high-priority one gets it although it came second.
    await client.stopWorkload(fillerIds[0]!, 1000);
    await running(client, high.workload!.id);
    const stillLow = await client.getWorkload(low.workload!.id);
    expect(stillLow.state).toBe('WORKLOAD_STATE_PENDING');
    expect(stillLow.reason).toBe('waiting: 3 nodes: 3 lacked cpu');
    await stopAll(client, [fillerIds[1]!, fillerIds[2]!, high.workload!.id, low.workload!.id]);
  });

  it('passes a run limit to the node, which fails the workload when it passes', async () => {
    const { workload } = await client.submitWorkload({ spec: { argv: ['sleep', '30'], timeoutMs: 300 } });
    const failed = await waitFor('workload timed out', async () => {
      const w = await client.getWorkload(workload!.id);
      return w.state === 'WORKLOAD_STATE_FAILED' ? w : undefined;
    });
    expect(failed.spec!.timeoutMs).toBe(300);
    expect(failed.reason).toMatch(/^timed out after 300ms \(killed by SIGTERM\) on node-\d$/);
  });

  it('fails a workload whose program does not exist, without blaming the nodes', async () => {
    const { workload } = await client.submitWorkload({ spec: { argv: ['/nonexistent/program'] } });
    const failed = await waitFor('workload failed', async () => {
      const w = await client.getWorkload(workload!.id);
      return w.state === 'WORKLOAD_STATE_FAILED' ? w : undefined;
    });
    expect(failed.reason).toMatch(/could not start it: spec\.argv\[0\]: "\/nonexistent\/program" does not exist/);
    const { nodes } = await client.listNodes();
    expect(nodes.every((n) => n.avoidUntilMs === 0)).toBe(true);
  });

  it('avoids a node whose starts keep failing (circuit breaker) and says so', async () => {
    // A registered node whose NodeAgent address answers nothing: every start fails with UNAVAILABLE.
    // (It holds the certificate of the node it registers as: a node acts only as itself.)
    const registry = new RegistryClient(
      cluster.scheduler.grpcAddress,
      testClientOptions({ pair: await agentCertificate('broken') }),
    );
    const nodeId = 'BROKEN0000000000000000000A';
    await registry.register({
      nodeId,
      nodeName: 'broken',
      address: '127.0.0.1:1',
      labels: { role: 'broken' },
      capacity: { cpuMillis: 1000, memoryBytes: 1024 * MiB },
      facts: { nodeName: 'broken', drivers: ['process'], cpuCores: 1 },
    });
    const hb = registry.heartbeat();
    hb.on('error', () => undefined);
    hb.on('data', () => undefined);
    hb.write({ nodeId });
    const beat = setInterval(() => hb.write({ nodeId }), 500);
    try {
      const { workload } = await client.submitWorkload(sleeper({ scheduling: { constraints: { role: 'broken' } } }));
      const waiting = await waitFor(
        'breaker open',
        async () => {
          const w = await client.getWorkload(workload!.id);
          return w.reason.includes('avoided after failed starts') ? w : undefined;
        },
        { timeoutMs: 15_000 },
      );
      expect(waiting.state).toBe('WORKLOAD_STATE_PENDING');
      expect(waiting.reason).toMatch(/^waiting: 4 nodes: 3 did not match constraints, 1 avoided after failed starts$/);
      expect(
        waiting.events.filter(
          (e) => e.state === 'WORKLOAD_STATE_PENDING' && e.reason.includes('start on broken failed'),
        ).length,
      ).toBe(3);
      const broken = (await client.listNodes()).nodes.find((n) => n.name === 'broken')!;
      expect(broken.avoidUntilMs).toBeGreaterThan(Date.now());
      await client.stopWorkload(workload!.id);
    } finally {
      clearInterval(beat);
      hb.cancel();
      registry.close();
    }
  });

  it('rejects bad input with INVALID_ARGUMENT naming the field', async () => {
    const cases: Array<[SubmitWorkloadRequest, string]> = [
      [{ spec: { argv: [] } }, 'spec.argv'],
      [{ spec: { argv: ['true'], resources: { cpuMillis: -1 } } }, 'spec.resources.cpu_millis'],
      [{ spec: { argv: ['true'] }, scheduling: { node: 'no-such-node' } }, 'scheduling.node'],
      [{ spec: { argv: ['true'], labels: { 'bad key!': 'x' } } }, 'spec.labels["bad key!"]'],
      [{ spec: { argv: ['true'] }, scheduling: { constraints: { '-x': 'y' } } }, 'scheduling.constraints["-x"]'],
      [{ spec: { argv: ['echo', 'x'.repeat(200 * 1024)] } }, 'spec.argv[1]'],
      // Over the 1 MiB spec limit (under the 4 MiB message limit): refused on its bytes.
      [{ spec: { argv: ['echo', 'x'.repeat(2 * MiB)] } }, 'spec'],
      [{ spec: { id: 'chosen', argv: ['true'] } }, 'spec.id'],
      [{ spec: { argv: ['true'], driver: 'vm' } }, 'spec.driver'],
      // Refused here, as on the agent (one shared check), not after placement.
      [{ spec: { argv: ['true'], driver: 'docker', docker: { ports: [8080] } } }, 'spec.docker.ports'],
      [
        { spec: { argv: ['true'], driver: 'docker', docker: { network: 'bridge', ports: [80, 80] } } },
        'spec.docker.ports[1]',
      ],
      [
        {
          spec: {
            argv: ['true'],
            artifacts: {
              pipelineId: 'p1',
              stepId: 's1',
              inputs: [{ pipelineId: 'p0', stepId: 'a', path: 'x', sha256: 'no' }],
            },
          },
        },
        'spec.artifacts.inputs[0].sha256',
      ],
    ];
    for (const [req, field] of cases) {
      const err = await client.submitWorkload(req).then(
        () => undefined,
        (e: unknown) => e as { code: number; message: string },
      );
      expect(err).toBeDefined();
      expect(err!.code).toBe(3); // INVALID_ARGUMENT
      expect(err!.message).toContain(`${field}:`);
    }
    // Above the 4 MiB message limit the transport refuses it before any handler runs.
    const huge = await client.submitWorkload({ spec: { argv: ['echo', 'x'.repeat(5 * MiB)] } }).then(
      () => undefined,
      (e: unknown) => e as { code: number },
    );
    expect(huge?.code).toBe(8); // RESOURCE_EXHAUSTED
    const { nodes } = await client.listNodes();
    expect(nodes.every((n) => n.state === 'NODE_STATE_UP')).toBe(true);
  });
});

describe('node loss', () => {
  let cluster: Cluster;
  let client: SchedulerClient;

  beforeAll(async () => {
    cluster = await startCluster({
      agents: 3,
      schedulerArgs: ['--heartbeat-interval', '200ms', '--down-after', '1s'],
    });
    client = cluster.scheduler.client;
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  it("with lost_after 0: gives up a down node's workloads at once, and fences the stale copies when it returns", async () => {
    const submitted = await Promise.all(
      ['RESTART_MODE_ON_FAILURE', 'RESTART_MODE_ALWAYS', 'RESTART_MODE_NEVER'].map((mode) =>
        client.submitWorkload(
          sleeper({
            spec: { argv: ['sleep', '600'], resources: { cpuMillis: 100, memoryBytes: 16 * MiB }, lostAfterMs: 0 },
            scheduling: {
              node: 'node-1',
              restart: { mode: mode as 'RESTART_MODE_ALWAYS', maxAttempts: 3, initialBackoffMs: 100 },
            },
          }),
        ),
      ),
    );
    const before = await Promise.all(submitted.map((s) => running(client, s.workload!.id)));
    // Pinned to node-1: while it is down the restartable ones wait for it (pending), and the
    // never-restart one is lost for good. The next test covers re-placement elsewhere.
    const t0 = Date.now();
    await cluster.agents[0]!.kill('SIGKILL');
    await waitFor(
      'node-1 down',
      async () => (await client.listNodes()).nodes.find((n) => n.name === 'node-1')?.state === 'NODE_STATE_DOWN',
      { timeoutMs: 5000 },
    );
    const downAfter = Date.now() - t0;
    expect(downAfter).toBeLessThan(3000);

    const never = await client.getWorkload(before[2]!.id);
    expect(never.state).toBe('WORKLOAD_STATE_LOST');
    expect(never.reason).toMatch(/node node-1 down/);
    for (const w of before.slice(0, 2)) {
      const now = await client.getWorkload(w.id);
      expect(now.state).toBe('WORKLOAD_STATE_PENDING');
      expect(now.events.some((e) => e.state === 'WORKLOAD_STATE_LOST')).toBe(true);
    }
    // The old processes still run under their shims while the node is away.
    for (const w of before) expect(await isAlive(w.pid)).toBe(true);

    await cluster.restartAgent(0);
    // Pinned restartable workloads come back on node-1 with new allocations; the never-restart
    // one stays lost. Every old copy is stopped (fenced by allocation id).
    for (const w of before.slice(0, 2)) {
      const now = await running(client, w.id);
      expect(now.allocationId).not.toBe(w.allocationId);
      expect(now.nodeName).toBe('node-1');
    }
    for (const w of before) {
      await waitFor(`old copy of ${w.id} (pid ${w.pid}) stopped`, async () => !(await isAlive(w.pid)), {
        timeoutMs: 30_000,
      });
    }
    expect((await client.getWorkload(before[2]!.id)).state).toBe('WORKLOAD_STATE_LOST');
    await stopAll(client, [before[0]!.id, before[1]!.id]);
  });

  it('re-places unpinned on-failure workloads on other nodes once their lost_after passes', async () => {
    const { workload } = await client.submitWorkload(
      sleeper({
        spec: { argv: ['sleep', '600'], resources: { cpuMillis: 100, memoryBytes: 16 * MiB }, lostAfterMs: 1000 },
        scheduling: {
          constraints: {},
          restart: { mode: 'RESTART_MODE_ON_FAILURE', maxAttempts: 2, initialBackoffMs: 100 },
        },
      }),
    );
    const first = await running(client, workload!.id);
    const index = Number(first.nodeName.split('-')[1]) - 1;
    await cluster.agents[index]!.kill('SIGKILL');
    // Its `unknown` spell lasts lost_after (1 s), which a poll of a loaded machine can miss: the
    // watch replay shows every transition, that one included.
    const moved = await waitFor(
      'workload re-placed on another node',
      async () => {
        const w = await client.getWorkload(workload!.id);
        return w.state === 'WORKLOAD_STATE_RUNNING' && w.nodeName !== first.nodeName ? w : undefined;
      },
      { timeoutMs: 30_000 },
    );
    const abort = new AbortController();
    let unknown: ScheduledWorkload__Output | undefined;
    for await (const e of client.watch({ replayRetained: true, workloadId: workload!.id }, abort.signal)) {
      if (e.workload?.state === 'WORKLOAD_STATE_UNKNOWN') unknown ??= e.workload;
      if (e.caughtUp) break;
    }
    abort.abort();
    expect(unknown).toBeDefined();
    expect(unknown!.lostAtMs - unknown!.unknownSinceMs).toBe(1000);
    expect(unknown!.reason).toMatch(/given up in 1s unless it returns/);
    expect(moved.attempt).toBe(2);
    await cluster.restartAgent(index);
    await waitFor(`stale copy (pid ${first.pid}) stopped`, async () => !(await isAlive(first.pid)), {
      timeoutMs: 30_000,
    });
    await cluster.waitForNodesUp(3);
    await stopAll(client, [workload!.id]);
  });
});
