// One partition, end to end, for the partition tests and the faults benchmark: a scheduler on a
// netns bed's bridge (its defaults: heartbeat 1 s, down-after 5 s), node-a in one namespace running
// N long sleeps (restart on-failure), node-b in another; node-a is cut off (silent DROP, or its
// link down) for a while and healed. While it runs, which copies of each workload are alive is
// sampled every 100 ms from /proc (the namespaces share this machine's pids), so an overlap of two
// copies is counted by processes, not by what the scheduler believes.
import type { SchedulerClient, ScheduledWorkload__Output } from '@mo/api';
import { startAgentProcess, type AgentProcess } from './agent-process.js';
import { createNetnsBed, type NetnsBed, type NetnsHost } from './netns.js';
import { startSchedulerProcess, stopAllWorkloads, type SchedulerProcess } from './scheduler-process.js';
import { isAlive, sleep, waitFor } from './wait.js';

/** In each agent's own namespace nothing else listens there. */
const AGENT_PORT = 7610;

export interface PartitionScenarioOptions {
  /** How many long-running workloads node-a runs (default 5). */
  workloads?: number;
  /** Their lost_after (undefined: the scheduler's default). */
  lostAfterMs?: number;
}

export interface PartitionOutcome {
  /** Wall-clock ms when the cut began and when it was healed. */
  cutAtMs: number;
  healedAtMs: number;
  /** The longest time two copies of one workload were both alive (ms). */
  overlapMs: number;
  /** From the heal until node-a was up again. */
  backAfterMs: number;
  /** The workloads as the scheduler shows them a few seconds after the heal. */
  after: ScheduledWorkload__Output[];
}

export interface PartitionScenario {
  readonly client: SchedulerClient;
  /** The workloads as they ran on node-a before the cut. */
  readonly originals: ScheduledWorkload__Output[];
  /** Cuts node-a off for holdMs, heals, waits for it to be up again, and reports. */
  cutOff(how: 'partition' | 'cutLink', holdMs: number): Promise<PartitionOutcome>;
  /** Stops every workload and daemon, removes the bed. Idempotent. */
  close(): Promise<void>;
}

export async function startPartitionScenario(options: PartitionScenarioOptions = {}): Promise<PartitionScenario> {
  const agents: AgentProcess[] = [];
  let bed: NetnsBed | undefined;
  let scheduler: SchedulerProcess | undefined;
  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      for (const h of bed?.hosts ?? []) await h.heal().catch(() => undefined);
      for (const a of agents) await stopAllWorkloads(a).catch(() => undefined);
      for (const a of agents) await a.kill('SIGKILL');
      await scheduler?.kill('SIGTERM');
      await bed?.close();
    })());
  try {
    bed = await createNetnsBed({ hosts: 2 });
    scheduler = await startSchedulerProcess({ grpcListen: `${bed.hostAddress}:0` });
    const client = scheduler.client;
    const [ha, hb] = bed.hosts as [NetnsHost, NetnsHost];
    const agentIn = async (h: NetnsHost, name: string) => {
      agents.push(
        await startAgentProcess({
          wrap: h.wrap,
          grpcListen: `${h.address}:${AGENT_PORT}`,
          extraArgs: [
            '--scheduler',
            scheduler!.grpcAddress,
            '--advertise',
            `${h.address}:${AGENT_PORT}`,
            '--node-name',
            name,
          ],
        }),
      );
      await waitFor(`${name} up`, async () => (await nodeState(client, name)) === 'NODE_STATE_UP', {
        timeoutMs: 15_000,
      });
    };
    await agentIn(ha, 'node-a');
    const ids = await Promise.all(
      Array.from({ length: options.workloads ?? 5 }, async (_, i) => {
        const { workload } = await client.submitWorkload({
          spec: {
            name: `p-${i}`,
            argv: ['sleep', '600'],
            gracePeriodMs: 1000,
            ...(options.lostAfterMs !== undefined && { lostAfterMs: options.lostAfterMs }),
          },
          scheduling: { restart: { mode: 'RESTART_MODE_ON_FAILURE' } },
        });
        return workload!.id;
      }),
    );
    const originals = await waitFor(
      'every workload running on node-a',
      async () => {
        const ws = await Promise.all(ids.map((id) => client.getWorkload(id)));
        return ws.every((w) => w.state === 'WORKLOAD_STATE_RUNNING') ? ws : undefined;
      },
      { timeoutMs: 30_000 },
    );
    // Only now: every original is on node-a, and the replacements can go to node-b.
    await agentIn(hb, 'node-b');
    return { client, originals, cutOff: (how, holdMs) => cutOff(client, ha, originals, how, holdMs), close };
  } catch (err) {
    await close();
    throw err;
  }
}

async function nodeState(client: SchedulerClient, name: string): Promise<string | undefined> {
  return (await client.listNodes()).nodes.find((n) => n.name === name)?.state;
}

async function cutOff(
  client: SchedulerClient,
  ha: NetnsHost,
  originals: ScheduledWorkload__Output[],
  how: 'partition' | 'cutLink',
  holdMs: number,
): Promise<PartitionOutcome> {
  const overlap = new Map<string, number>();
  const latest = new Map<string, ScheduledWorkload__Output>(originals.map((w) => [w.id, w]));
  let sampling = true;
  const sampler = (async () => {
    let last = Date.now();
    while (sampling) {
      const ws = await Promise.all(originals.map((w) => client.getWorkload(w.id)));
      const now = Date.now();
      for (const [i, w] of ws.entries()) {
        latest.set(w.id, w);
        const original = originals[i]!;
        const other = w.allocationId !== original.allocationId && w.state === 'WORKLOAD_STATE_RUNNING' && w.pid > 0;
        if (other && (await isAlive(original.pid)) && (await isAlive(w.pid))) {
          overlap.set(w.id, (overlap.get(w.id) ?? 0) + (now - last));
        }
      }
      last = now;
      await sleep(100); // pacing the sampler
    }
  })();
  await ha[how]();
  const cutAtMs = Date.now();
  await sleep(holdMs); // the partition lasts holdMs (the scenario, not a wait for something)
  await ha.heal();
  const healedAt = Date.now();
  await waitFor('node-a up again', async () => (await nodeState(client, 'node-a')) === 'NODE_STATE_UP', {
    timeoutMs: 30_000,
    intervalMs: 50,
  });
  const backAfterMs = Date.now() - healedAt;
  // Let any fencing settle, still sampling: a window in which no second copy may appear.
  await sleep(3000);
  sampling = false;
  await sampler;
  return {
    cutAtMs,
    healedAtMs: healedAt,
    overlapMs: Math.max(0, ...overlap.values()),
    backAfterMs,
    after: await Promise.all(originals.map((w) => client.getWorkload(w.id))),
  };
}
