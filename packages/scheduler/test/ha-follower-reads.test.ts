// Followers serve reads (issue 18): two schedulers on etcd, as processes, TLS as deployed. A
// client given only the follower's address gets workloads, lists, nodes, cluster status and
// pipelines from the follower's watch-fed cache (its address stays the follower's: nothing was
// redirected), sees changes the leader makes, and is sent to the leader for a write, for an id the
// follower does not hold, and with a token the follower cannot verify; a read token it can verify
// reads there.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { PipelineClient, SchedulerClient, TokenClient, newId } from '@mo/api';
import {
  requireTool,
  runMo,
  testFetch,
  startHaCluster,
  testClientOptions,
  testTokenOptions,
  waitFor,
  waitForPipeline,
  type HaCluster,
} from '@mo/testkit';
import { existsSync } from 'node:fs';

const haveEtcd = requireTool(existsSync('/usr/bin/etcd'), 'etcd (Debian etcd-server)');
let ha: HaCluster;
const closers: Array<{ close(): void }> = [];

beforeAll(async () => {
  if (!haveEtcd) return;
  ha = await startHaCluster({ schedulers: 2, agents: 1, leaseTtl: '2s' });
  await ha.waitForNodesUp(1);
}, 120_000);

afterAll(async () => {
  for (const c of closers) c.close();
  await ha?.stop();
});

function clients(address: string, options = testClientOptions({ deadlineMs: 5000 })) {
  const c = { workloads: new SchedulerClient(address, options), pipelines: new PipelineClient(address, options) };
  closers.push(c.workloads, c.pipelines);
  return c;
}

describe('a follower serves reads from its cache', () => {
  it('answers gets, lists, nodes, status and pipelines itself, current with the leader', async () => {
    if (!haveEtcd) return;
    const leaderIndex = await ha.leader();
    const leader = ha.schedulers[leaderIndex]!.grpcAddress;
    const follower = ha.schedulers[1 - leaderIndex]!.grpcAddress;
    const { workloads: toLeader, pipelines: pipelinesOnLeader } = clients(leader);
    const { workloads, pipelines } = clients(follower);

    const { workload } = await toLeader.submitWorkload({
      spec: { name: 'cached', argv: ['sleep', '600'], resources: { cpuMillis: 10, memoryBytes: 8 << 20 } },
    });
    const id = workload!.id;
    await waitFor('running, as the follower reads it', async () => {
      const w = await workloads.getWorkload(id);
      return w.state === 'WORKLOAD_STATE_RUNNING';
    });
    expect(workloads.address).toBe(follower);

    const list = await workloads.listWorkloads({ name: 'cached' });
    expect(list.workloads.map((w) => w.id)).toEqual([id]);
    expect(list.total).toBe(1);
    const { nodes } = await workloads.listNodes();
    expect(nodes).toEqual([expect.objectContaining({ name: 'node-1', state: 'NODE_STATE_UP', workloadsRunning: 1 })]);
    expect(nodes[0]!.reserved).toMatchObject({ cpuMillis: 10, memoryBytes: 8 << 20 });
    const status = await workloads.getClusterStatus();
    expect(status.workloadCounts).toMatchObject({ running: 1 });
    expect(status.recent.map((w) => w.id)).toContain(id);
    expect(workloads.address).toBe(follower);

    const { pipeline } = await pipelinesOnLeader.submit({
      spec: JSON.stringify({ name: 'read-on-follower', steps: [{ id: 'only', command: ['true'] }] }),
    });
    await waitForPipeline(pipelines, pipeline!.id, (p) => p.state === 'PIPELINE_STATE_SUCCEEDED', 30_000);
    expect((await pipelines.list({ name: 'read-on-follower' })).pipelines.map((p) => p.id)).toEqual([pipeline!.id]);
    expect(pipelines.address).toBe(follower);

    // A change the leader makes reaches the follower's answers.
    await toLeader.stopWorkload(id);
    await waitFor('stopped, as the follower reads it', async () => {
      const w = await workloads.getWorkload(id);
      return w.state === 'WORKLOAD_STATE_STOPPED';
    });
    expect(workloads.address).toBe(follower);

    // The CLI given the follower alone (its fast path's wire client, then the full client).
    const ps = await runMo(['--scheduler', follower, '--json', 'ps', '--all', '--name', 'cached']);
    expect(ps.code).toBe(0);
    expect((JSON.parse(ps.stdout) as { workloads: Array<{ id: string }> }).workloads.map((w) => w.id)).toEqual([id]);
    const pl = await runMo(['--scheduler', follower, '--json', 'pipeline', 'status', pipeline!.id]);
    expect(pl.code).toBe(0);
    expect(pl.stdout).toContain('PIPELINE_STATE_SUCCEEDED');

    // What it served shows in its metrics, with how long since etcd's quorum answered it.
    const metrics = await (await testFetch(`https://${ha.schedulers[1 - leaderIndex]!.httpAddress}/metrics`)).text();
    expect(metrics).toMatch(/mo_scheduler_follower_reads_total\{method="ListWorkloads",outcome="served"\} [1-9]/);
    expect(metrics).toMatch(/mo_scheduler_follower_last_contact_seconds [0-2](\.\d+)?(e-\d+)?\n/);
  });

  it('sends an unknown id and every write to the leader', async () => {
    if (!haveEtcd) return;
    const leaderIndex = await ha.leader();
    const leader = ha.schedulers[leaderIndex]!.grpcAddress;
    const follower = ha.schedulers[1 - leaderIndex]!.grpcAddress;

    const unknown = clients(follower).workloads;
    await expect(unknown.getWorkload(newId())).rejects.toMatchObject({ code: 5 }); // NOT_FOUND, from the leader
    expect(unknown.address).toBe(leader);

    const writer = clients(follower).workloads;
    const { workload } = await writer.submitWorkload({
      spec: { name: 'written', argv: ['true'], resources: { cpuMillis: 10, memoryBytes: 8 << 20 } },
    });
    expect(workload!.id).toBeTruthy();
    expect(writer.address).toBe(leader);
  });

  it('reads with a token the follower can verify; sends any other token to the leader', async () => {
    if (!haveEtcd) return;
    const leaderIndex = await ha.leader();
    const leader = ha.schedulers[leaderIndex]!.grpcAddress;
    const follower = ha.schedulers[1 - leaderIndex]!.grpcAddress;
    const tokens = new TokenClient(leader, testClientOptions({ deadlineMs: 5000 }));
    closers.push(tokens);
    const { secret } = await tokens.create({ name: `reader-${process.pid}`, access: 'ACCESS_LEVEL_READ' });

    // Until the token's record reaches the follower, its reads go to the leader (which moves the
    // client there): a fresh client each time.
    await waitFor('the token reached the follower', async () => {
      const reader = clients(follower, testTokenOptions(secret, { deadlineMs: 5000 })).workloads;
      const { nodes } = await reader.listNodes();
      return reader.address === follower && nodes.length === 1;
    });
    // A token nobody made: the follower does not refuse it, the leader does.
    const forged = clients(
      follower,
      testTokenOptions(`mo_${newId()}_${'x'.repeat(43)}`, { deadlineMs: 5000 }),
    ).workloads;
    await expect(forged.listNodes()).rejects.toMatchObject({ code: 16 }); // UNAUTHENTICATED
  });
});
