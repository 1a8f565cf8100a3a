// Starts placed on one node in the same tick go to it as one StartWorkloads call. Specs near their
// size limits (128 KiB of argv and of env each) add up past the 4 MiB message limit: the agent
// refuses such a call whole (RESOURCE_EXHAUSTED), which says nothing about any one workload, so the
// scheduler sends the halves again instead of failing every workload in the batch.
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { startCluster, waitFor, type Cluster } from '@mo/testkit';

let cluster: Cluster;
beforeAll(async () => {
  cluster = await startCluster({ agents: 1, agentArgs: () => ['--capacity-cpu', '1000'] });
});
afterAll(async () => {
  await cluster?.stop();
});

it('runs 24 near-limit workloads placed in one pass (5.9 MiB of specs for one node)', async () => {
  const client = cluster.scheduler.client;
  // A blocker holds the node's CPU, so the 24 wait and are then placed in one pass, one batch.
  const { workload: blocker } = await client.submitWorkload({
    spec: { argv: ['sleep', '600'], resources: { cpuMillis: 1000 } },
  });
  const big = 'x'.repeat(127 * 1024);
  const ids = (
    await Promise.all(
      Array.from({ length: 24 }, (_, i) =>
        client.submitWorkload({
          spec: {
            name: `big-${i}`,
            argv: ['sh', '-c', 'exec sleep 600', big],
            env: { PAD: big },
            resources: { cpuMillis: 1 },
          },
        }),
      ),
    )
  ).map((r) => r.workload!.id);
  expect((await client.getWorkload(ids[23]!)).state).toBe('WORKLOAD_STATE_PENDING');
  await client.stopWorkload(blocker!.id, 100);
  const all = await waitFor(
    'all 24 running',
    async () => {
      const ws = await Promise.all(ids.map((id) => client.getWorkload(id)));
      if (ws.some((w) => w.state === 'WORKLOAD_STATE_FAILED')) return ws;
      return ws.every((w) => w.state === 'WORKLOAD_STATE_RUNNING') ? ws : undefined;
    },
    { timeoutMs: 30_000 },
  );
  expect(all.filter((w) => w.state !== 'WORKLOAD_STATE_RUNNING').map((w) => `${w.state}: ${w.reason}`)).toEqual([]);
  expect(all.every((w) => w.attempt === 1)).toBe(true);
  const node = (await client.listNodes()).nodes[0]!;
  expect([node.startFailures, node.avoidUntilMs]).toEqual([0, 0]);
});
