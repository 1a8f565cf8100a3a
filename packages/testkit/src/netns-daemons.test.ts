// Daemons on a test bed's hosts, as several hosts run them (this machine's cgroups in view): a
// scheduler in one namespace on its address (gRPC and HTTP reached from the host namespace), agents
// in two others registering with it there, a workload placed on one of them; and an agent
// restarted on its data dir in its host comes back at the same address with its workload.
import { afterAll, expect, it } from '@jest/globals';
import { createNetnsBed, netnsUnavailable, type NetnsBed, type NetnsHost } from './netns.js';
import { BED_PORTS, startAgentIn, startSchedulerIn } from './netns-daemons.js';
import type { AgentProcess } from './agent-process.js';
import { testFetch } from './pki.js';
import { stopAllWorkloads, type SchedulerProcess } from './scheduler-process.js';
import { requireTool, waitFor } from './wait.js';

const why = netnsUnavailable();
const maybe = requireTool(!why, `a network-namespace test bed (${why})`) ? it : it.skip;

let bed: NetnsBed | undefined;
let scheduler: SchedulerProcess | undefined;
const agents: AgentProcess[] = [];
afterAll(async () => {
  await Promise.allSettled(agents.map((a) => stopAllWorkloads(a)));
  await Promise.allSettled(agents.map((a) => a.kill('SIGTERM')));
  await scheduler?.kill('SIGTERM');
  await bed?.close();
});

maybe(
  'a scheduler in one namespace, agents in two others: registered, placed on, restarted in place',
  async () => {
    bed = await createNetnsBed({ hosts: 3 });
    const [hs, h1, h2] = bed.hosts as [NetnsHost, NetnsHost, NetnsHost];
    scheduler = await startSchedulerIn(hs);
    expect(scheduler.grpcAddress).toBe(`${hs.address}:${BED_PORTS.schedulerGrpc}`);
    expect((await testFetch(`https://${hs.address}:${BED_PORTS.schedulerHttp}/healthz`)).status).toBe(200);
    for (const [i, h] of [h1, h2].entries()) {
      agents.push(await startAgentIn(h, { scheduler: scheduler.grpcAddress, nodeName: `n${i + 1}` }));
    }
    // Entered with host.enter, not `ip netns exec` (whose fresh /sys hides the cgroup hierarchies).
    for (const a of agents) expect(a.logs()).not.toContain('no cgroup hierarchy is mounted');
    expect(agents.map((a) => a.grpcAddress)).toEqual([h1, h2].map((h) => `${h.address}:${BED_PORTS.agentGrpc}`));
    const { nodes } = await scheduler.client.listNodes();
    expect(nodes.map((n) => [n.name, n.address, n.state]).sort()).toEqual([
      ['n1', `${h1.address}:${BED_PORTS.agentGrpc}`, 'NODE_STATE_UP'],
      ['n2', `${h2.address}:${BED_PORTS.agentGrpc}`, 'NODE_STATE_UP'],
    ]);

    const { workload } = await scheduler.client.submitWorkload({
      spec: { name: 'sleeper', argv: ['sleep', '600'] },
      scheduling: { node: 'n2' },
    });
    const running = await waitFor('the workload running on n2', async () => {
      const w = await scheduler!.client.getWorkload(workload!.id);
      return w.state === 'WORKLOAD_STATE_RUNNING' ? w : undefined;
    });

    // Restarted in its host on its data dir: the same address, the workload re-attached.
    const old = agents.pop()!;
    await old.kill('SIGTERM');
    agents.push(await startAgentIn(h2, { scheduler: scheduler.grpcAddress, nodeName: 'n2', dataDir: old.dataDir }));
    expect(agents[1]!.logs()).toContain(`"inventory":1`);
    const after = await scheduler.client.getWorkload(workload!.id);
    expect([after.state, after.allocationId, after.pid]).toEqual([
      'WORKLOAD_STATE_RUNNING',
      running.allocationId,
      running.pid,
    ]);
  },
  120_000,
);
