// @mo/api/lite (the CLI's fast read path: HTTP/2 + a descriptor-driven codec, no grpc-js) returns
// exactly what the full SchedulerClient returns, on a real cluster in varied states.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { LiteCallError, LiteSchedulerClient, decodeMessage, encodeMessage } from '@mo/api/lite';
import { startCluster, waitFor, type Cluster } from '@mo/testkit';

let cluster: Cluster;
let lite: LiteSchedulerClient;
const ids: string[] = [];

beforeAll(async () => {
  cluster = await startCluster({ agents: 2, agentArgs: (i) => ['--label', `zone=z${i}`, '--label', 'tier=a.b/c'] });
  const c = cluster.scheduler.client;
  const submit = async (req: Parameters<typeof c.submitWorkload>[0]) =>
    ids.push((await c.submitWorkload(req)).workload!.id);
  await submit({ spec: { argv: ['sleep', '600'], name: 'long', env: { A: 'ü ✓', B: '' }, labels: { team: 'x' } } });
  await submit({
    spec: { argv: ['sh', '-c', 'exit 3'], resources: { cpuMillis: 250, memoryBytes: 3 * 2 ** 32 } },
    scheduling: { priority: 'PRIORITY_HIGH', strategy: 'PLACEMENT_STRATEGY_BINPACK', constraints: { zone: 'z1' } },
  });
  await submit({ spec: { argv: ['true'], resources: { memoryBytes: 2 ** 52 } }, idempotencyKey: 'too-big' });
  await submit({
    spec: { argv: ['true'] },
    scheduling: { restart: { mode: 'RESTART_MODE_ON_FAILURE', maxAttempts: 2 } },
  });
  await waitFor('the short ones to end', async () => {
    const w = await c.getWorkload(ids[1]!);
    return w.state === 'WORKLOAD_STATE_FAILED';
  });
  lite = new LiteSchedulerClient(cluster.scheduler.grpcAddress, { deadlineMs: 5000 });
});
afterAll(async () => {
  lite?.close();
  await cluster?.stop();
});

describe('LiteSchedulerClient', () => {
  it('GetClusterStatus equals the full client', async () => {
    const full = await cluster.scheduler.client.getClusterStatus({ recentWorkloads: 10 });
    const fast = await lite.getClusterStatus({ recentWorkloads: 10 });
    expect(fast).toEqual(full);
    expect(fast.nodes).toHaveLength(2);
    expect(fast.nodes[0]!.facts?.cpuCores).toBeGreaterThan(0);
  });

  it('ListNodes, GetScheduledWorkload and ListWorkloads (with enum filters) equal the full client', async () => {
    const c = cluster.scheduler.client;
    expect(await lite.listNodes()).toEqual(await c.listNodes());
    for (const id of ids) expect(await lite.getWorkload(id)).toEqual(await c.getWorkload(id));
    const req = { states: ['WORKLOAD_STATE_FAILED', 'WORKLOAD_STATE_PENDING'] as const, limit: 50 };
    const fast = await lite.listWorkloads({ ...req, states: [...req.states] });
    expect(fast).toEqual(await c.listWorkloads({ ...req, states: [...req.states] }));
    expect(fast.total).toBe(2);
    expect(await lite.listWorkloads({ omitEvents: true })).toEqual(await c.listWorkloads({ omitEvents: true }));
  });

  it('reports errors with their gRPC code and message', async () => {
    const notFound = await lite.getWorkload('01NOSUCHWORKLOAD000000000A').catch((e: unknown) => e);
    expect(notFound).toBeInstanceOf(LiteCallError);
    expect((notFound as LiteCallError).code).toBe(5);
    expect((notFound as LiteCallError).details).toMatch(/workload_id/);
    const closed = new LiteSchedulerClient('127.0.0.1:1', { deadlineMs: 2000 });
    const unreachable = await closed.listNodes().catch((e: unknown) => e);
    closed.close();
    expect((unreachable as LiteCallError).code).toBe(14);
    expect((unreachable as LiteCallError).details).toMatch(/ECONNREFUSED/);
  });

  it('round-trips negative, 64-bit and packed values through its own codec', () => {
    const msg = { limit: -5, states: ['WORKLOAD_STATE_RUNNING', 'WORKLOAD_STATE_LOST'], nodeId: 'n', omitEvents: true };
    expect(decodeMessage('ListWorkloadsRequest', encodeMessage('ListWorkloadsRequest', msg))).toEqual(msg);
    const res = { cpuMillis: 2 ** 40, memoryBytes: -1 };
    expect(decodeMessage('Resources', encodeMessage('Resources', res))).toEqual(res);
  });
});
