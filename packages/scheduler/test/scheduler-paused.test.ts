// Doubt is not death, on the scheduler's side: a scheduler held up longer than --down-after (here
// SIGSTOP for 7 s against the default 5 s: a paused VM, a stuck disk, a long GC) wakes with every
// node's deadline passed, while the nodes' heartbeats wait in its sockets. Its liveness sweep,
// firing late, gives them one heartbeat interval first: no node is marked down, and no workload
// goes unknown. (Before, the node went down the moment the scheduler resumed, and came back.)
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { sleep, startCluster, waitFor, type Cluster } from '@mo/testkit';

let cluster: Cluster;
beforeAll(async () => {
  cluster = await startCluster({ agents: 1 });
}, 60_000);
afterAll(async () => {
  await cluster?.stop();
});

describe('a scheduler held up past down-after', () => {
  it('marks no node down and no workload unknown once it runs again', async () => {
    const client = cluster.scheduler.client;
    const { workload } = await client.submitWorkload({ spec: { argv: ['sleep', '600'] } });
    const id = workload!.id;
    await waitFor(`${id} running`, async () => (await client.getWorkload(id)).state === 'WORKLOAD_STATE_RUNNING', {
      timeoutMs: 20_000,
    });
    process.kill(cluster.scheduler.pid, 'SIGSTOP');
    try {
      await sleep(7000);
    } finally {
      process.kill(cluster.scheduler.pid, 'SIGCONT');
    }
    await sleep(3000); // past the grace: a node still silent would be down by now
    const w = await client.getWorkload(id);
    expect(w.events.map((e) => e.state)).toEqual([
      'WORKLOAD_STATE_PENDING',
      'WORKLOAD_STATE_STARTING',
      'WORKLOAD_STATE_RUNNING',
    ]);
    const { nodes } = await client.listNodes({});
    expect(nodes.map((n) => [n.name, n.state])).toEqual([['node-1', 'NODE_STATE_UP']]);
    await client.stopWorkload(id, 0);
  }, 60_000);
});
