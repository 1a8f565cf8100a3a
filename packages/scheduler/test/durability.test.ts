// An acknowledged submission survives a SIGKILL of the scheduler: every id the client got back is
// there after a restart on the same data dir, retried submits with the same idempotency keys create
// nothing new, and the agents reconnect with their running workloads adopted, not duplicated.
import { afterAll, describe, expect, it } from '@jest/globals';
import { SchedulerClient } from '@mo/api';
import {
  freePort,
  startAgentProcess,
  startSchedulerProcess,
  stopAllWorkloads,
  waitFor,
  type AgentProcess,
  type SchedulerProcess,
  testClientOptions,
} from '@mo/testkit';

const cleanup: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const c of cleanup.reverse()) await c().catch(() => undefined);
});

describe('scheduler crash during a burst of submissions', () => {
  it('keeps every acknowledged submission and creates nothing new on resubmit', async () => {
    const listen = `127.0.0.1:${await freePort()}`;
    let scheduler: SchedulerProcess = await startSchedulerProcess({ grpcListen: listen });
    cleanup.push(() => scheduler.kill('SIGKILL'));
    const agents: AgentProcess[] = [];
    for (const name of ['node-1', 'node-2']) {
      const a = await startAgentProcess({
        extraArgs: ['--scheduler', listen, '--node-name', name, '--capacity-cpu', '100000'],
      });
      agents.push(a);
      cleanup.push(async () => {
        await stopAllWorkloads(a);
        await a.kill('SIGTERM');
      });
    }
    await waitFor('2 nodes up', async () => (await scheduler.client.listNodes()).nodes.length === 2);

    // 200 submissions, 20 in flight; the scheduler is SIGKILLed part-way through.
    const client = new SchedulerClient(listen, testClientOptions({ deadlineMs: 5000 }));
    const acked = new Map<string, string>(); // idempotency key -> id
    const keys = Array.from({ length: 200 }, (_, i) => `burst-${i}`);
    let next = 0;
    let killed = false;
    const worker = async () => {
      while (next < keys.length) {
        const key = keys[next++]!;
        try {
          const res = await client.submitWorkload({
            spec: { argv: ['sleep', '600'], resources: { cpuMillis: 10 } },
            idempotencyKey: key,
          });
          acked.set(key, res.workload!.id);
        } catch {
          // Not acknowledged: the scheduler is gone. Nothing is promised for this one.
        }
        if (!killed && acked.size >= 60) {
          killed = true;
          await scheduler.kill('SIGKILL');
        }
      }
    };
    await Promise.all(Array.from({ length: 20 }, worker));
    client.close();
    expect(killed).toBe(true);
    expect(acked.size).toBeGreaterThanOrEqual(60);
    expect(acked.size).toBeLessThan(200);

    scheduler = await startSchedulerProcess({ dataDir: scheduler.dataDir, grpcListen: listen });
    const restarted = scheduler.client;
    for (const [, id] of acked) {
      const w = await restarted.getWorkload(id);
      expect(w.id).toBe(id);
    }
    // The agents reconnect; every acknowledged workload ends up running exactly once.
    await waitFor('2 nodes up again', async () =>
      (await restarted.listNodes()).nodes.every((n) => n.state === 'NODE_STATE_UP'),
    );

    // Retry the whole burst with the same keys: acknowledged ones come back as existing.
    for (const key of keys) {
      const res = await restarted.submitWorkload({
        spec: { argv: ['sleep', '600'], resources: { cpuMillis: 10 } },
        idempotencyKey: key,
      });
      if (acked.has(key)) {
        expect(res.existing).toBe(true);
        expect(res.workload!.id).toBe(acked.get(key));
      }
    }
    const all = await restarted.listWorkloads({ limit: 1000, omitEvents: true });
    expect(all.total).toBe(200);
    try {
      await waitFor(
        'all 200 running',
        async () => (await restarted.listWorkloads({ states: ['WORKLOAD_STATE_RUNNING'], limit: 1 })).total === 200,
        { timeoutMs: 20_000 },
      );
    } catch (err) {
      // Say which ones did not get there, and what happened to them.
      const status = await restarted.getClusterStatus();
      const others = (await restarted.listWorkloads({ limit: 1000 })).workloads.filter(
        (w) => w.state !== 'WORKLOAD_STATE_RUNNING',
      );
      const story = others
        .slice(0, 3)
        .map((w) => `${w.id} ${w.state}: ${w.events.map((e) => `${e.state} ${e.reason}`).join(' | ')}`);
      throw new Error(
        `${(err as Error).message}; counts ${JSON.stringify(status.workloadCounts)}\n${story.join('\n')}`,
      );
    }
    // Exactly one process per workload across both agents (nothing duplicated by the crash).
    const onAgents = (await Promise.all(agents.map(async (a) => (await a.client.getFullNodeStatus()).workloads)))
      .flat()
      .filter((w) => w.state === 'WORKLOAD_STATE_RUNNING');
    const owners = new Map<string, number>();
    for (const w of onAgents)
      owners.set(w.spec!.labels['mo.workload']!, (owners.get(w.spec!.labels['mo.workload']!) ?? 0) + 1);
    expect(owners.size).toBe(200);
    expect([...owners.values()].every((n) => n === 1)).toBe(true);

    const ids = all.workloads.map((w) => w.id);
    await Promise.all(ids.map((id) => restarted.stopWorkload(id, 1000)));
  });
});
