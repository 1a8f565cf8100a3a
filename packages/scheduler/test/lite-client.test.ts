// @mo/api/lite (the CLI's fast read path: HTTP/2 + a descriptor-driven codec, no grpc-js) returns
// exactly what the full SchedulerClient returns, on a real cluster in varied states.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { LiteCallError, LiteSchedulerClient, decodeMessage, encodeMessage } from '@mo/api/lite';
import { startCluster, waitFor, type Cluster, testPki, testTls } from '@mo/testkit';

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
  // Quiet before comparing: every short one ended (the on-failure one succeeds at once).
  await waitFor('the short ones to end', async () => {
    const ends = await Promise.all([ids[1]!, ids[3]!].map((id) => c.getWorkload(id)));
    return ends.every((w) => w.state === 'WORKLOAD_STATE_FAILED' || w.state === 'WORKLOAD_STATE_SUCCEEDED');
  });
  lite = new LiteSchedulerClient(cluster.scheduler.grpcAddress, { deadlineMs: 5000, tls: testTls(testPki().client) });
});
afterAll(async () => {
  lite?.close();
  await cluster?.stop();
});

/**
 * Both clients read the same state; a heartbeat (every second) can land between the two calls and
 * move lastHeartbeatMs or metrics, so a mismatch is retried a few times before it counts.
 */
async function expectSame<T>(full: () => Promise<T>, fast: () => Promise<T>): Promise<T> {
  let a: T | undefined;
  let b: T | undefined;
  for (let i = 0; i < 5; i++) {
    [a, b] = [await full(), await fast()];
    if (JSON.stringify(a) === JSON.stringify(b)) break;
  }
  expect(b).toEqual(a);
  return b!;
}

describe('LiteSchedulerClient', () => {
  it('GetClusterStatus equals the full client', async () => {
    const fast = await expectSame(
      () => cluster.scheduler.client.getClusterStatus({ recentWorkloads: 10 }),
      () => lite.getClusterStatus({ recentWorkloads: 10 }),
    );
    expect(fast.nodes).toHaveLength(2);
    expect(fast.nodes[0]!.facts?.cpuCores).toBeGreaterThan(0);
  });

  it('ListNodes, GetScheduledWorkload and ListWorkloads (with enum filters) equal the full client', async () => {
    const c = cluster.scheduler.client;
    await expectSame(
      () => c.listNodes(),
      () => lite.listNodes(),
    );
    for (const id of ids) {
      await expectSame(
        () => c.getWorkload(id),
        () => lite.getWorkload(id),
      );
    }
    const req = { states: ['WORKLOAD_STATE_FAILED', 'WORKLOAD_STATE_PENDING'] as const, limit: 50 };
    const fast = await expectSame(
      () => c.listWorkloads({ ...req, states: [...req.states] }),
      () => lite.listWorkloads({ ...req, states: [...req.states] }),
    );
    expect(fast.total).toBe(2);
    await expectSame(
      () => c.listWorkloads({ omitEvents: true }),
      () => lite.listWorkloads({ omitEvents: true }),
    );
  });

  it('reports errors with their gRPC code and message', async () => {
    const notFound = await lite.getWorkload('01NOSUCHWORKLOAD000000000A').catch((e: unknown) => e);
    expect(notFound).toBeInstanceOf(LiteCallError);
    expect((notFound as LiteCallError).code).toBe(5);
    expect((notFound as LiteCallError).details).toMatch(/workload_id/);
    const closed = new LiteSchedulerClient('127.0.0.1:1', { deadlineMs: 2000, tls: testTls(testPki().client) });
    const unreachable = await closed.listNodes().catch((e: unknown) => e);
    closed.close();
    expect((unreachable as LiteCallError).code).toBe(14);
    expect((unreachable as LiteCallError).details).toMatch(/ECONNREFUSED/);
  });

  it('round-trips negative, 64-bit and packed values through its own codec', () => {
    const msg = {
      limit: -5,
      states: ['WORKLOAD_STATE_RUNNING', 'WORKLOAD_STATE_LOST'],
      nodeId: 'n',
      omitEvents: true,
      pageSize: 3,
      pageToken: 't',
    };
    // The filters left unset decode as their defaults.
    expect(decodeMessage('ListWorkloadsRequest', encodeMessage('ListWorkloadsRequest', msg))).toEqual({
      ...msg,
      name: '',
      idPrefix: '',
      labels: {},
      groupId: '',
    });
    const res = { cpuMillis: 2 ** 40, memoryBytes: -1 };
    // host_ports unset decodes as its default, 0.
    expect(decodeMessage('Resources', encodeMessage('Resources', res))).toEqual({ ...res, hostPorts: 0 });
  });
});
