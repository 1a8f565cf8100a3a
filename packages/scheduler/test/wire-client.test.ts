// @mo/api/wire (the CLI's fast path: HTTP/2 + a descriptor-driven codec, no grpc-js) returns
// exactly what the full SchedulerClient returns, on a real cluster in varied states: reads,
// SubmitWorkload, StopScheduledWorkload and the Watch stream, errors as the same MoErrors.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { ClusterEvent__Output } from '@mo/api';
import { MoError, UnavailableError } from '@mo/api/errors';
import { WireCallError, WireSchedulerClient, decodeMessage, encodeMessage } from '@mo/api/wire';
import { startCluster, waitFor, type Cluster, testPki, testTls } from '@mo/testkit';

let cluster: Cluster;
let wire: WireSchedulerClient;
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
  wire = new WireSchedulerClient(cluster.scheduler.grpcAddress, { deadlineMs: 5000, tls: testTls(testPki().client) });
});
afterAll(async () => {
  wire?.close();
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

describe('WireSchedulerClient', () => {
  it('GetClusterStatus equals the full client', async () => {
    const fast = await expectSame(
      () => cluster.scheduler.client.getClusterStatus({ recentWorkloads: 10 }),
      () => wire.getClusterStatus({ recentWorkloads: 10 }),
    );
    expect(fast.nodes).toHaveLength(2);
    expect(fast.nodes[0]!.facts?.cpuCores).toBeGreaterThan(0);
  });

  it('ListNodes, GetScheduledWorkload and ListWorkloads (with enum filters) equal the full client', async () => {
    const c = cluster.scheduler.client;
    await expectSame(
      () => c.listNodes(),
      () => wire.listNodes(),
    );
    for (const id of ids) {
      await expectSame(
        () => c.getWorkload(id),
        () => wire.getWorkload(id),
      );
    }
    const req = { states: ['WORKLOAD_STATE_FAILED', 'WORKLOAD_STATE_PENDING'] as const, limit: 50 };
    const fast = await expectSame(
      () => c.listWorkloads({ ...req, states: [...req.states] }),
      () => wire.listWorkloads({ ...req, states: [...req.states] }),
    );
    expect(fast.total).toBe(2);
    await expectSame(
      () => c.listWorkloads({ omitEvents: true }),
      () => wire.listWorkloads({ omitEvents: true }),
    );
  });

  it("reports errors as the full client's MoErrors, with the gRPC code and message", async () => {
    const notFound = await wire.getWorkload('01NOSUCHWORKLOAD000000000A').catch((e: unknown) => e);
    const full = await cluster.scheduler.client.getWorkload('01NOSUCHWORKLOAD000000000A').catch((e: unknown) => e);
    expect(notFound).toBeInstanceOf(MoError);
    expect(notFound).toMatchObject({ code: 5, message: (full as MoError).message });
    expect((notFound as MoError).message).toMatch(/workload_id/);
    expect((notFound as MoError).cause).toBeInstanceOf(WireCallError);
    const closed = new WireSchedulerClient('127.0.0.1:1', { deadlineMs: 2000, tls: testTls(testPki().client) });
    const unreachable = await closed.listNodes().catch((e: unknown) => e);
    closed.close();
    expect(unreachable).toBeInstanceOf(UnavailableError);
    expect((unreachable as UnavailableError).code).toBe(14);
    expect((unreachable as UnavailableError).message).toMatch(/^127\.0\.0\.1:1: .*ECONNREFUSED/);
  });

  it('SubmitWorkload and StopScheduledWorkload answer as the full client does', async () => {
    const c = cluster.scheduler.client;
    // Pending for good (no node has the label), so nothing moves between the two reads.
    const req = {
      spec: { argv: ['true'], name: 'never', labels: { k: 'v' } },
      scheduling: { constraints: { zone: 'nowhere' } },
      idempotencyKey: `lite-${process.pid}`,
    };
    const first = await wire.submitWorkload(req);
    expect(first.existing).toBe(false);
    expect(first.workload?.state).toBe('WORKLOAD_STATE_PENDING');
    // The same key again, through each client: the same answer.
    await expectSame(
      () => c.submitWorkload(req),
      () => wire.submitWorkload(req),
    );
    const id = first.workload!.id;
    const stopped = await wire.stopWorkload(id, 0);
    expect(stopped.state).toBe('WORKLOAD_STATE_STOPPED');
    expect(stopped).toEqual(await c.getWorkload(id));
    const bad = await wire.submitWorkload({ spec: { argv: [] } }).catch((e: unknown) => e);
    expect(bad).toMatchObject({ code: 3, message: expect.stringMatching(/argv/) });
  });

  it('Watch streams the events the full client sees, and stops when aborted', async () => {
    const c = cluster.scheduler.client;
    const { workload } = await c.submitWorkload({
      spec: { argv: ['sleep', '600'] },
      scheduling: { constraints: { zone: 'z0' } },
    });
    const id = workload!.id;
    // Running before either watch opens, so both snapshots say so and every change after them (the
    // stop below) is a live event both streams carry.
    await waitFor('it to run', async () => (await c.getWorkload(id)).state === 'WORKLOAD_STATE_RUNNING');
    // Each event whole (JSON), so the two decoders are compared too.
    const follow = (watch: (signal: AbortSignal) => AsyncIterable<ClusterEvent__Output>) => {
      let opened!: () => void;
      const snapshot = new Promise<void>((resolve) => (opened = resolve));
      const events = (async () => {
        const stop = new AbortController();
        const seen: string[] = [];
        for await (const ev of watch(stop.signal)) {
          if (ev.workload?.id !== id) continue;
          seen.push(JSON.stringify(ev));
          opened();
          if (ev.workload.state === 'WORKLOAD_STATE_STOPPED') stop.abort();
        }
        return seen;
      })();
      return { snapshot, events };
    };
    const viaWire = follow((signal) => wire.watch({ workloadId: id, initialState: true }, signal));
    const viaFull = follow((signal) => c.watch({ workloadId: id, initialState: true }, signal));
    await Promise.all([viaWire.snapshot, viaFull.snapshot]);
    await c.stopWorkload(id, 0);
    const [wireEvents, fullEvents] = await Promise.all([viaWire.events, viaFull.events]);
    expect(wireEvents[0]).toMatch(/WORKLOAD_STATE_RUNNING/);
    expect(wireEvents.at(-1)).toMatch(/WORKLOAD_STATE_STOPPED/);
    // The initial snapshot is each stream's own (its own seq); the live events after it are the same.
    expect(wireEvents.length).toBeGreaterThanOrEqual(2);
    expect(wireEvents.slice(1)).toEqual(fullEvents.slice(1));
    const refused = await (async () => {
      for await (const _ of wire.watch({ workloadId: 'not an id' })) break;
    })().catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(MoError);
    expect((refused as MoError).code).toBe(3);
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
