// Every list is paged by count and by encoded bytes, on a real scheduler and two real agents:
// 20 workloads with ~240 KiB specs (big argv and env, a real `sleep`) together pass the 4 MiB
// message limit, yet ListWorkloads, GetClusterStatus, the agent's GetNodeStatus, ListNodes,
// ListPipelines and the `mo` commands over them all work, and no response passes the limit.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  MAX_MESSAGE_BYTES,
  MoError,
  PAGE_BYTES,
  PipelineClient,
  type ListWorkloadsResponse__Output,
  type NodeStatus__Output,
} from '@mo/api';
import { encodeMessage } from '@mo/api/wire';
import { runMo, startCluster, waitFor, type Cluster, testClientOptions } from '@mo/testkit';

const BIG = 20;
const KiB = 1024;
let cluster: Cluster;
let pipelines: PipelineClient;
/** The big workloads' ids, oldest first. */
const ids: string[] = [];

/** A spec of ~240 KiB: two 58 KiB argv strings and two 60 KiB env values (under their caps). */
function bigSpec(i: number) {
  return {
    name: `big-${i}`,
    argv: ['sh', '-c', 'exec sleep 600', 'pad', 'a'.repeat(58 * KiB), 'b'.repeat(58 * KiB)],
    env: { PAD_ONE: 'x'.repeat(60 * KiB), PAD_TWO: 'y'.repeat(60 * KiB) },
  };
}

/** The encoded size of a response, as it goes on the wire. */
const wireBytes = (type: string, msg: object) => encodeMessage(type, msg).length;

/** A page may pass PAGE_BYTES by its last item (one spec here), never the message limit. */
const PAGE_CEILING = PAGE_BYTES + 300 * KiB;

beforeAll(async () => {
  cluster = await startCluster({ agents: 2 });
  pipelines = new PipelineClient(cluster.scheduler.grpcAddress, testClientOptions({ deadlineMs: 15_000 }));
  const c = cluster.scheduler.client;
  // In groups of 4, each running before the next: the agent reports every change with its spec,
  // and how heartbeats bound their size is not what this test is about.
  for (let g = 0; g < BIG; g += 4) {
    const group: string[] = [];
    for (let i = g; i < g + 4; i++) {
      const { workload } = await c.submitWorkload({ spec: bigSpec(i), scheduling: { node: 'node-1' } });
      group.push(workload!.id);
    }
    ids.push(...group);
    await waitFor(`big workloads ${g}..${g + 3} running`, async () => {
      const ws = await Promise.all(group.map((id) => c.getWorkload(id)));
      return ws.every((w) => w.state === 'WORKLOAD_STATE_RUNNING');
    });
  }
}, 120_000);

afterAll(async () => {
  pipelines?.close();
  if (!cluster) return;
  const { workloads } = await cluster.scheduler.client
    .listAllWorkloads({ states: ['WORKLOAD_STATE_PENDING', 'WORKLOAD_STATE_STARTING', 'WORKLOAD_STATE_RUNNING'] })
    .catch(() => ({ workloads: [] }));
  await Promise.allSettled(workloads.map((w) => cluster.scheduler.client.stopWorkload(w.id, 500)));
  await cluster.stop();
});

/** The error a call fails with (it must fail). */
async function failure(p: Promise<unknown>): Promise<MoError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(MoError);
  return err as MoError;
}

describe('20 workloads of ~240 KiB', () => {
  it('are more than one message can hold', () => {
    const one = wireBytes('ScheduledWorkload', { spec: bigSpec(0) });
    expect(one).toBeGreaterThan(235 * KiB);
    expect(one * BIG).toBeGreaterThan(MAX_MESSAGE_BYTES);
  });

  it('ListWorkloads pages through all of them, newest first, each page under the limit', async () => {
    const c = cluster.scheduler.client;
    const seen: string[] = [];
    const sizes: number[] = [];
    let token = '';
    let pages = 0;
    do {
      const res: ListWorkloadsResponse__Output = await c.listWorkloads({ pageToken: token });
      sizes.push(wireBytes('ListWorkloadsResponse', res));
      expect(res.total).toBe(BIG);
      seen.push(...res.workloads.map((w) => w.id));
      token = res.nextPageToken;
      expect(++pages).toBeLessThanOrEqual(BIG);
    } while (token);
    console.log(`ListWorkloads: ${pages} pages of ${sizes.map((b) => `${(b / KiB).toFixed(0)} KiB`).join(', ')}`);
    expect(pages).toBeGreaterThan(1);
    for (const b of sizes) expect(b).toBeLessThan(PAGE_CEILING);
    expect(seen).toEqual([...ids].reverse());
  });

  it('ListWorkloads honours page_size, the deprecated limit and the filters', async () => {
    const c = cluster.scheduler.client;
    const first = await c.listWorkloads({ pageSize: 3, omitEvents: true });
    expect(first.workloads.map((w) => w.id)).toEqual(ids.slice(-3).reverse());
    expect(first.nextPageToken).not.toBe('');
    const legacy = await c.listWorkloads({ limit: 2, omitEvents: true });
    expect(legacy.workloads).toHaveLength(2);
    // Small pages walk the same list.
    const all = await c.listAllWorkloads({ omitEvents: true, states: ['WORKLOAD_STATE_RUNNING'] });
    expect(all.workloads.map((w) => w.id)).toEqual([...ids].reverse());
    expect(all.nextPageToken).toBe('');
    const someOf = await c.listAllWorkloads({ omitEvents: true }, 13);
    expect(someOf.workloads).toHaveLength(13);
    expect(someOf.nextPageToken).not.toBe('');
    const onTwo = await c.listWorkloads({ nodeId: 'no-such-node' });
    expect(onTwo).toEqual({ workloads: [], total: 0, nextPageToken: '' });
  });

  it('GetClusterStatus stays under the limit and continues recent through ListWorkloads', async () => {
    const c = cluster.scheduler.client;
    const cs = await c.getClusterStatus({ recentWorkloads: BIG });
    const bytes = wireBytes('ClusterStatus', cs);
    console.log(`GetClusterStatus(recent 20): ${cs.recent.length} recent in ${(bytes / KiB).toFixed(0)} KiB`);
    expect(bytes).toBeLessThan(PAGE_CEILING);
    expect(cs.nodesTotal).toBe(2);
    expect(cs.nodes.map((n) => n.name)).toEqual(['node-1', 'node-2']);
    expect(cs.nodesNextPageToken).toBe('');
    expect(cs.recent.length).toBeLessThan(BIG);
    expect(cs.recentNextPageToken).not.toBe('');
    expect(cs.workloadCounts.running).toBe(BIG);

    const full = await c.getFullClusterStatus({ recentWorkloads: BIG });
    expect(full.recent.map((w) => w.id)).toEqual([...ids].reverse());
    expect(full.recent.every((w) => w.events.length === 0)).toBe(true);

    // Nodes are capped by max_nodes, with the rest a ListNodes page away.
    const capped = await c.getClusterStatus({ maxNodes: 1, recentWorkloads: 1 });
    expect(capped.nodes.map((n) => n.name)).toEqual(['node-1']);
    expect(capped.nodesTotal).toBe(2);
    const rest = await c.listNodes({ pageToken: capped.nodesNextPageToken });
    expect(rest.nodes.map((n) => n.name)).toEqual(['node-2']);
    expect(rest.nextPageToken).toBe('');
  });

  it("the agent's GetNodeStatus pages its workloads, oldest first", async () => {
    const agent = cluster.agents[0]!.client;
    const seen: { id: string; createdAtMs: number }[] = [];
    let token = '';
    let pages = 0;
    do {
      const res: NodeStatus__Output = await agent.getNodeStatus({ pageToken: token });
      expect(wireBytes('NodeStatus', res)).toBeLessThan(PAGE_CEILING);
      expect(res.facts?.nodeName).toBe('node-1');
      seen.push(...res.workloads.map((w) => ({ id: w.spec!.id, createdAtMs: w.createdAtMs })));
      token = res.nextPageToken;
      expect(++pages).toBeLessThanOrEqual(BIG);
    } while (token);
    expect(pages).toBeGreaterThan(1);
    // Oldest first by the agent's own clock (a group started at once may come in any order).
    const times = seen.map((w) => w.createdAtMs);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    // The agent knows them by allocation id: the scheduler's view gives the mapping.
    const { workloads } = await cluster.scheduler.client.listAllWorkloads({ omitEvents: true });
    const allocationOf = new Map(workloads.map((w) => [w.id, w.allocationId]));
    expect(seen.map((w) => w.id).sort()).toEqual(ids.map((id) => allocationOf.get(id)).sort());
    const full = await agent.getFullNodeStatus();
    expect(full.workloads).toHaveLength(BIG);
    expect(full.workloads.every((w) => w.state === 'WORKLOAD_STATE_RUNNING' && w.usage)).toBe(true);
  });

  it('ListNodes pages by name', async () => {
    const c = cluster.scheduler.client;
    const first = await c.listNodes({ pageSize: 1 });
    expect(first.nodes.map((n) => n.name)).toEqual(['node-1']);
    const second = await c.listNodes({ pageSize: 1, pageToken: first.nextPageToken });
    expect(second.nodes.map((n) => n.name)).toEqual(['node-2']);
    expect(second.nextPageToken).toBe('');
    expect((await c.listAllNodes()).nodes.map((n) => n.name)).toEqual(['node-1', 'node-2']);
  });

  it('mo status, mo nodes and mo --agent status show them all', async () => {
    const env = { MO_SCHEDULER_ADDR: cluster.scheduler.grpcAddress };
    const status = await runMo(['status', '--recent', String(BIG)], { env });
    expect(status.stderr).toBe('');
    expect(status.code).toBe(0);
    for (const id of ids) expect(status.stdout).toContain(id);
    expect(status.stdout).toMatch(/nodes\s+2 \(2 up\)/);

    const nodes = await runMo(['nodes', '--json'], { env });
    expect(nodes.code).toBe(0);
    const listed = JSON.parse(nodes.stdout) as { nodes: { name: string }[]; nextPageToken: string };
    expect(listed.nodes.map((n) => n.name)).toEqual(['node-1', 'node-2']);
    expect(listed.nextPageToken).toBe('');

    const direct = await runMo(['--agent', cluster.agents[0]!.grpcAddress, 'status']);
    expect(direct.code).toBe(0);
    expect(direct.stdout).toMatch(/workloads\s+20 \(20 running\)/);
  });
});

describe('page tokens', () => {
  const garbled = 'bm90LWEtdG9rZW4'; // base64url of "not-a-token"

  it.each([
    ['ListWorkloads', () => cluster.scheduler.client.listWorkloads({ pageToken: garbled })],
    ['ListNodes', () => cluster.scheduler.client.listNodes({ pageToken: 'x!' })],
    ['ListPipelines', () => pipelines.list({ pageToken: garbled })],
    ["an agent's GetNodeStatus", () => cluster.agents[0]!.client.getNodeStatus({ pageToken: garbled })],
  ])('a garbled one is INVALID_ARGUMENT naming page_token (%s)', async (_name, call) => {
    const err = await failure(call());
    expect(err.code).toBe(3); // INVALID_ARGUMENT
    expect(err.message).toMatch(/^page_token: /);
  });

  it("one list's token is refused by another", async () => {
    const c = cluster.scheduler.client;
    const { nextPageToken } = await c.listNodes({ pageSize: 1 });
    expect(nextPageToken).not.toBe('');
    const err = await failure(c.listWorkloads({ pageToken: nextPageToken }));
    expect(err.code).toBe(3);
    expect(err.message).toMatch(/^page_token: is a token of another list/);
    const onAgent = await failure(cluster.agents[0]!.client.getNodeStatus({ pageToken: nextPageToken }));
    expect(onAgent.message).toMatch(/^page_token: /);
  });

  it('a negative page size is INVALID_ARGUMENT naming its field; a huge one is lowered', async () => {
    const c = cluster.scheduler.client;
    expect((await failure(c.listWorkloads({ pageSize: -1 }))).message).toMatch(/^page_size: /);
    expect((await failure(c.getClusterStatus({ maxNodes: -1 }))).message).toMatch(/^max_nodes: /);
    expect((await failure(c.listWorkloads({ limit: 10_001 }))).message).toMatch(/^limit: /);
    const huge = await c.listWorkloads({ pageSize: 1_000_000, omitEvents: true });
    expect(huge.workloads.length).toBeGreaterThan(0);
    expect(wireBytes('ListWorkloadsResponse', huge)).toBeLessThan(PAGE_CEILING);
  });

  it('stay valid positions while new workloads arrive: no repeats, no gaps', async () => {
    const c = cluster.scheduler.client;
    const first = await c.listWorkloads({ pageSize: 5, omitEvents: true });
    // Newer than every page position: it never shows in a later page.
    const { workload } = await c.submitWorkload({ spec: { argv: ['true'], name: 'newcomer' } });
    const rest = await c.listAllWorkloads({ pageToken: first.nextPageToken, omitEvents: true });
    const walked = [...first.workloads, ...rest.workloads].map((w) => w.id);
    expect(walked).toEqual([...ids].reverse());
    expect(walked).not.toContain(workload!.id);
    expect(rest.total).toBe(BIG + 1);
  });
});

describe('ListPipelines', () => {
  it('pages newest first, and `mo pipeline list --limit` follows the pages', async () => {
    const made: string[] = [];
    for (let i = 0; i < 5; i++) {
      const spec = JSON.stringify({ name: 'paged', steps: [{ id: 'a', command: ['true'] }] });
      made.push((await pipelines.submit({ spec })).pipeline!.id);
    }
    const seen: string[] = [];
    let token = '';
    do {
      const res = await pipelines.list({ name: 'paged', pageSize: 2, pageToken: token });
      expect(res.total).toBe(5);
      expect(res.pipelines.length).toBeLessThanOrEqual(2);
      seen.push(...res.pipelines.map((p) => p.id));
      token = res.nextPageToken;
    } while (token);
    expect(seen).toEqual([...made].reverse());

    const env = { MO_SCHEDULER_ADDR: cluster.scheduler.grpcAddress };
    const cli = await runMo(['pipeline', 'list', '--name', 'paged', '--limit', '3', '--json'], { env });
    expect(cli.code).toBe(0);
    const listed = JSON.parse(cli.stdout) as { pipelines: { id: string }[]; total: number };
    expect(listed.pipelines.map((p) => p.id)).toEqual([...made].reverse().slice(0, 3));
    expect(listed.total).toBe(5);
  });
});
