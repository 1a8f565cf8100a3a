// Placement on a real cluster (a scheduler and three agents as processes, real gRPC, real Docker):
// spread deals workloads that declare nothing evenly; host ports are a placement resource (more
// port-publishing workloads than ports wait pending and start as ports free); a port range that
// something outside holds is a clear error for the workload, never a node fault (issue 11).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  RegistryClient,
  type MoError,
  type SchedulerClient,
  type ScheduledWorkload__Output,
  type SubmitWorkloadRequest,
} from '@mo/api';
import * as grpc from '@grpc/grpc-js';
import net from 'node:net';
import {
  dockerReady,
  removeContainersOfNode,
  requireTool,
  runMo,
  startCluster,
  waitFor,
  type Cluster,
  agentCertificate,
  testClientOptions,
  testFetch,
} from '@mo/testkit';

const ready = requireTool(dockerReady(), 'a Docker engine with mo-sandbox:latest (docker.io; deploy/sandbox/build.sh)');
const suite = ready ? describe : describe.skip;

// Outside the agents' default range (3001-4000) and other tests' ranges, so nothing else here
// publishes on them. node-3's single port is held by this test, as another program would.
const RANGES = ['4731-4732', '4733-4734', '4735-4735'];
const HELD_PORT = 4735;

const RUNNING = 'WORKLOAD_STATE_RUNNING';

suite('placement on a real cluster: spread, host ports, the breaker', () => {
  let cluster: Cluster;
  let client: SchedulerClient;
  let holder: net.Server | undefined;

  beforeAll(async () => {
    holder = await holdPort(HELD_PORT);
    cluster = await startCluster({
      agents: 3,
      agentArgs: (i) => ['--docker-ports', RANGES[i]!, '--label', i < 2 ? 'pool=ports' : 'pool=outside'],
    });
    client = cluster.scheduler.client;
  });

  afterAll(async () => {
    const nodes = client ? await client.listNodes().catch(() => ({ nodes: [] })) : { nodes: [] };
    await cluster?.stop();
    for (const n of nodes.nodes) removeContainersOfNode(n.id);
    await new Promise<void>((resolve) => (holder ? holder.close(() => resolve()) : resolve()));
  });

  it('reports each agent docker port range as its host-port capacity', async () => {
    const { nodes } = await client.listNodes();
    const capacity = Object.fromEntries(nodes.map((n) => [n.name, n.capacity?.hostPorts]));
    expect(capacity).toEqual({ 'node-1': 2, 'node-2': 2, 'node-3': 1 });
  });

  it('refuses a registration whose host-port capacity is not a port count, naming the field', async () => {
    const registry = new RegistryClient(
      cluster.scheduler.grpcAddress,
      testClientOptions({ pair: await agentCertificate('fake-node') }),
    );
    try {
      for (const hostPorts of [-1, 65536]) {
        const err = await registry
          .register({
            nodeId: `BADPORTS${process.pid}`,
            nodeName: `bad-ports-${process.pid}`,
            address: '127.0.0.1:1',
            capacity: { cpuMillis: 1000, memoryBytes: 1 << 30, hostPorts },
          })
          .then(
            () => undefined,
            (e: unknown) => e as MoError,
          );
        expect(err?.code).toBe(grpc.status.INVALID_ARGUMENT);
        expect(err?.message).toMatch(/^capacity\.host_ports: must be an integer within 0\.\.65535/);
      }
    } finally {
      registry.close();
    }
  });

  it('spreads 30 workloads that declare nothing 10/10/10 over 3 nodes', async () => {
    const ids = await Promise.all(
      Array.from({ length: 30 }, () =>
        submit({ spec: { argv: ['sleep', '600'] }, scheduling: { strategy: 'PLACEMENT_STRATEGY_SPREAD' } }),
      ),
    );
    const running = await Promise.all(ids.map((id) => waitForState(id, RUNNING, 30_000)));
    const perNode = new Map<string, number>();
    for (const w of running) perNode.set(w.nodeName, (perNode.get(w.nodeName) ?? 0) + 1);
    expect([...perNode.keys()].sort()).toEqual(['node-1', 'node-2', 'node-3']);
    for (const n of perNode.values()) expect(Math.abs(n - 10)).toBeLessThanOrEqual(1);
    await Promise.all(ids.map((id) => client.stopWorkload(id, 1000)));
  });

  it('keeps port-publishing workloads pending while no node has a free port, and starts them as ports free', async () => {
    const ids = await Promise.all(
      Array.from({ length: 6 }, () => submit(publishing({ constraints: { pool: 'ports' } }))),
    );
    // Four ports in the pool: four run, each on a port of its node's range; two wait, saying why.
    // What was seen last, for a failure: the states, nodes and reasons (a start refused, and why).
    let seen = '';
    const show = (ws: ScheduledWorkload__Output[]) =>
      (seen = ws.map((w) => `${w.state.replace('WORKLOAD_STATE_', '')} ${w.nodeName} "${w.reason}"`).join('; '));
    await waitFor(
      '4 running and 2 pending',
      async () => {
        const states = await Promise.all(ids.map((id) => client.getWorkload(id)));
        show(states);
        return states.filter((w) => w.state === RUNNING).length === 4 &&
          states.filter((w) => w.state === 'WORKLOAD_STATE_PENDING').length === 2
          ? states
          : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 200 },
    ).catch((err: Error) => {
      throw new Error(`${err.message}; last seen: ${seen}`);
    });
    const states = await Promise.all(ids.map((id) => client.getWorkload(id)));
    const pending = states.filter((w) => w.state === 'WORKLOAD_STATE_PENDING');
    for (const w of pending) {
      expect(w.reason).toBe('waiting: 3 nodes: 2 lacked host ports, 1 did not match constraints');
    }
    for (const w of states.filter((s) => s.state === RUNNING)) {
      const [first, last] = RANGES[Number(w.nodeName.slice('node-'.length)) - 1]!.split('-').map(Number);
      expect(w.ports[0]!.hostPort).toBeGreaterThanOrEqual(first!);
      expect(w.ports[0]!.hostPort).toBeLessThanOrEqual(last!);
    }
    const { nodes } = await client.listNodes();
    for (const name of ['node-1', 'node-2']) {
      expect(nodes.find((n) => n.name === name)?.reserved?.hostPorts).toBe(2);
    }
    expect(await mo(['nodes'])).toMatch(/^node-1\s.*\s2\/2\s/m);
    const metrics = await (await testFetch(`https://${cluster.scheduler.httpAddress}/metrics`)).text();
    expect(metrics).toMatch(/^mo_scheduler_placement_rejections_total\{reason="ports"\} [1-9]/m);

    // A port frees: one of the waiting two takes it.
    const freed = states.find((s) => s.state === RUNNING)!;
    await client.stopWorkload(freed.id, 1000);
    const next = await waitFor(
      'a waiting workload running',
      async () => {
        const ws = await Promise.all(pending.map((w) => client.getWorkload(w.id)));
        show(ws);
        return ws.find((w) => w.state === RUNNING);
      },
      { timeoutMs: 60_000, intervalMs: 100 },
    ).catch((err: Error) => {
      throw new Error(`${err.message}; last seen: ${seen}`);
    });
    expect(next.nodeName).toBe(freed.nodeName);
    await Promise.all(ids.map((id) => client.stopWorkload(id, 1000)));
  }, 150_000); // its two waits (60 s each) fail first, with what they saw

  it('fails a workload clearly when the range is held from outside, and avoids no node for it', async () => {
    // More refusals than the breaker threshold (3): none of them counts against node-3.
    for (let i = 0; i < 4; i++) {
      const id = await submit(publishing({ node: 'node-3' }));
      const w = await waitForState(id, 'WORKLOAD_STATE_FAILED', 30_000);
      expect(w.reason).toMatch(/^node node-3 could not start it: spec\.docker\.ports: no free host port in 4735-4735/);
      expect(w.attempt).toBe(1); // ended, not re-placed in a loop
    }
    // With a restart policy, its restarts and backoff apply, and still no node is blamed.
    const restarting = await submit(
      publishing({
        node: 'node-3',
        restart: { mode: 'RESTART_MODE_ON_FAILURE', maxAttempts: 2, initialBackoffMs: 100, maxBackoffMs: 200 },
      }),
    );
    const ended = await waitForState(restarting, 'WORKLOAD_STATE_FAILED', 30_000);
    expect(ended.attempt).toBeGreaterThan(1);
    expect(ended.reason).toMatch(/no free host port in 4735-4735/);

    const { nodes } = await client.listNodes();
    for (const n of nodes) {
      expect({ name: n.name, startFailures: n.startFailures, avoidUntilMs: Number(n.avoidUntilMs) }).toEqual({
        name: n.name,
        startFailures: 0,
        avoidUntilMs: 0,
      });
    }
    // node-3 still takes work that needs no port.
    const plain = await submit({ spec: { argv: ['true'] }, scheduling: { node: 'node-3' } });
    expect((await waitForState(plain, 'WORKLOAD_STATE_SUCCEEDED', 30_000)).nodeName).toBe('node-3');
  });

  /** A docker workload publishing one port, never restarted unless `scheduling` says otherwise. */
  function publishing(scheduling: NonNullable<SubmitWorkloadRequest['scheduling']>): SubmitWorkloadRequest {
    return {
      spec: {
        argv: ['sleep', '600'],
        driver: 'docker',
        docker: { image: 'mo-sandbox:latest', network: 'bridge', ports: [8080] },
      },
      scheduling: { restart: { mode: 'RESTART_MODE_NEVER' }, ...scheduling },
    };
  }

  async function submit(req: SubmitWorkloadRequest): Promise<string> {
    return (await client.submitWorkload(req)).workload!.id;
  }

  function waitForState(id: string, state: string, timeoutMs: number): Promise<ScheduledWorkload__Output> {
    return waitFor(
      `${id} ${state}`,
      async () => {
        const w = await client.getWorkload(id);
        return w.state === state ? w : undefined;
      },
      { timeoutMs, intervalMs: 100 },
    );
  }

  async function mo(args: string[]): Promise<string> {
    const r = await runMo(['--scheduler', cluster.scheduler.grpcAddress, ...args], { timeoutMs: 60_000 });
    if (r.code !== 0) throw new Error(`mo ${args.join(' ')} exited ${r.code}\n${r.stderr}`);
    return r.stdout;
  }
});

/** Listens on 0.0.0.0:port, as another program holding it would (undefined if one already does). */
function holdPort(port: number): Promise<net.Server | undefined> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', (err: NodeJS.ErrnoException) =>
      err.code === 'EADDRINUSE' ? resolve(undefined) : reject(err),
    );
    server.listen({ host: '0.0.0.0', port, exclusive: true }, () => resolve(server));
  });
}
