// No node's size can lock it out: an agent whose inventory (its workloads' specs) passes the 4 MiB
// message limit registers again after a scheduler restart, in pages (Register + SyncInventory),
// and comes back up with every workload still running under the same allocation, none lost.
import { afterAll, expect, it } from '@jest/globals';
import { type WorkloadSpec } from '@mo/api';
import { encodeMessage } from '@mo/api/wire';
import {
  freePort,
  runMo,
  startAgentProcess,
  startSchedulerProcess,
  stopAllWorkloads,
  waitFor,
  type AgentProcess,
  type SchedulerProcess,
} from '@mo/testkit';

const cleanup: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const c of cleanup.reverse()) await c().catch(() => undefined);
});

const MiB = 1024 * 1024;
const COUNT = 20;

it('re-registers a node with a 4.6 MiB inventory after a scheduler restart, every workload kept', async () => {
  const listen = `127.0.0.1:${await freePort()}`;
  let scheduler: SchedulerProcess = await startSchedulerProcess({ grpcListen: listen });
  cleanup.push(() => scheduler.kill('SIGKILL'));
  const nodeName = `big-${process.pid}`;
  const agent: AgentProcess = await startAgentProcess({
    extraArgs: ['--scheduler', listen, '--node-name', nodeName, '--capacity-cpu', '100000'],
  });
  const allocations: string[] = [];
  cleanup.push(async () => {
    // Each by id: the agent's whole status (GetNodeStatus) may not fit one message here.
    await Promise.allSettled(allocations.map((a) => agent.client.stopWorkload(a, 1)));
    await stopAllWorkloads(agent).catch(() => undefined);
    await agent.kill('SIGTERM');
  });
  await waitFor('node up', async () => (await scheduler.client.listNodes()).nodes.length === 1);

  // ~236 KiB per spec (argv and env each near their 128 KiB limits): 20 of them pass 4 MiB.
  const pad = 'x'.repeat(118 * 1024);
  const specs: WorkloadSpec[] = Array.from({ length: COUNT }, (_, i) => ({
    name: `big-${i}`,
    argv: ['sh', '-c', 'exec sleep 600', 'mo', pad],
    env: { PAD: pad },
    resources: { cpuMillis: 10 },
  }));
  const inventoryBytes = specs.reduce((n, s) => n + encodeMessage('WorkloadSpec', s).length, 0);
  expect(inventoryBytes).toBeGreaterThan(4.5 * MiB);
  const ids: string[] = [];
  for (const spec of specs) ids.push((await scheduler.client.submitWorkload({ spec })).workload!.id);
  const running = async () => {
    const ws = await Promise.all(ids.map((id) => scheduler.client.getWorkload(id)));
    return ws.every((w) => w.state === 'WORKLOAD_STATE_RUNNING') ? ws : undefined;
  };
  await waitFor('20 running', running, { timeoutMs: 60_000 }).catch((err: unknown) => {
    console.log(scheduler.logs().slice(-3000), agent.logs().slice(-3000));
    throw err;
  });
  const before = new Map((await running())!.map((w) => [w.id, w.allocationId]));
  allocations.push(...before.values());

  await scheduler.kill('SIGKILL');
  scheduler = await startSchedulerProcess({ dataDir: scheduler.dataDir, grpcListen: listen });

  await waitFor('the node up again', async () => {
    const { nodes } = await scheduler.client.listNodes();
    return nodes.length === 1 && nodes[0]!.state === 'NODE_STATE_UP' && nodes[0]!.name === nodeName;
  });
  // The agent sent its inventory in pages, and the scheduler took the last one.
  await waitFor('inventory complete', async () => scheduler.logs().includes('node inventory complete'));
  // The agent logs its registration once the last page is answered, a moment after the scheduler
  // logged it complete: wait for the line (two of them: before and after the scheduler's restart).
  const last = await waitFor('the agent registered again', () => {
    const registered = agent
      .logs()
      .split('\n')
      .filter((l) => l.includes('registered with scheduler'))
      .map((l) => JSON.parse(l) as { inventory: number; pages?: number });
    return registered.length >= 2 ? registered.at(-1) : undefined;
  });
  expect(last.inventory).toBe(COUNT);
  expect(last.pages).toBeGreaterThanOrEqual(3);
  // Refused never; unreachable only while the scheduler was down.
  expect(agent.logs()).not.toMatch(/cannot register with scheduler; retrying.*"code":"(?!UNAVAILABLE")/);

  // Nothing was given up or started anew: same allocations, still running.
  const after = (await running())!;
  expect(new Map(after.map((w) => [w.id, w.allocationId]))).toEqual(before);

  // `mo status` and `mo nodes` work against it.
  const env = { MO_SCHEDULER_ADDR: listen };
  const nodes = await runMo(['nodes'], { env });
  expect(nodes.code).toBe(0);
  expect(nodes.stdout).toContain(nodeName);
  const status = await runMo(['status'], { env });
  expect(status.stderr).toBe('');
  expect(status.code).toBe(0);
});
