// Partitions, with real parts: the scheduler on the test bed's bridge, two agents in their own
// network namespaces (testkit's netns bed), real processes. Workloads run on node-a; node-a is cut
// off (iptables DROP both ways: silent; or its link down) and later healed. Two copies of a
// workload may overlap for at most lost_after + 5 s, counted by processes (the namespaces share this
// machine's pids, so /proc shows both copies); in practice the cut-off agent stops its copy before
// the scheduler can replace it. A short cut replaces nothing.
import { afterEach, expect, it } from '@jest/globals';
import type { SchedulerClient, ScheduledWorkload__Output } from '@mo/api';
import {
  createNetnsBed,
  isAlive,
  netnsUnavailable,
  requireTool,
  sleep,
  startAgentProcess,
  startSchedulerProcess,
  stopAllWorkloads,
  waitFor,
  type AgentProcess,
  type NetnsBed,
  type NetnsHost,
  type SchedulerProcess,
} from '@mo/testkit';

const why = netnsUnavailable();
const maybe = requireTool(!why, `a network-namespace test bed (${why})`) ? it : it.skip;

const AGENT_PORT = 7610; // in each agent's own namespace: nothing else listens there
const WORKLOADS = 5;

let bed: NetnsBed | undefined;
let scheduler: SchedulerProcess | undefined;
const agents: AgentProcess[] = [];
afterEach(async () => {
  for (const h of bed?.hosts ?? []) await h.heal().catch(() => undefined);
  for (const a of agents) await stopAllWorkloads(a).catch(() => undefined);
  for (const a of agents.splice(0)) await a.kill('SIGKILL');
  await scheduler?.kill('SIGTERM');
  await bed?.close();
  bed = scheduler = undefined;
});

async function agentIn(h: NetnsHost, name: string): Promise<AgentProcess> {
  const a = await startAgentProcess({
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
  });
  agents.push(a);
  return a;
}

async function nodeState(client: SchedulerClient, name: string): Promise<string | undefined> {
  return (await client.listNodes()).nodes.find((n) => n.name === name)?.state;
}

/** A scheduler (defaults: heartbeat 1 s, down-after 5 s), node-a with WORKLOADS sleeps, then node-b. */
async function setUp(lostAfterMs: number | undefined) {
  bed = await createNetnsBed({ hosts: 2 });
  scheduler = await startSchedulerProcess({ grpcListen: `${bed.hostAddress}:0` });
  const client = scheduler.client;
  const [ha, hb] = bed.hosts as [NetnsHost, NetnsHost];
  await agentIn(ha, 'node-a');
  await waitFor('node-a up', async () => (await nodeState(client, 'node-a')) === 'NODE_STATE_UP', {
    timeoutMs: 15_000,
  });
  const ids = await Promise.all(
    Array.from({ length: WORKLOADS }, async (_, i) => {
      const { workload } = await client.submitWorkload({
        spec: {
          name: `p-${i}`,
          argv: ['sleep', '600'],
          gracePeriodMs: 1000,
          ...(lostAfterMs !== undefined && { lostAfterMs }),
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
  await agentIn(hb, 'node-b');
  await waitFor('node-b up', async () => (await nodeState(client, 'node-b')) === 'NODE_STATE_UP', {
    timeoutMs: 15_000,
  });
  return { client, ha, originals };
}

/**
 * Cuts node-a off for `holdMs` while sampling every 100 ms which copies of each workload are alive
 * (the original's pid, and the pid of whatever allocation the scheduler runs elsewhere). Returns
 * the longest overlap of two live copies, and how long node-a took to be up again after the heal.
 */
async function cutOff(
  client: SchedulerClient,
  ha: NetnsHost,
  originals: ScheduledWorkload__Output[],
  how: 'partition' | 'cutLink',
  holdMs: number,
): Promise<{ overlapMs: number; backAfterMs: number; replaced: ScheduledWorkload__Output[] }> {
  const overlap = new Map<string, number>();
  const current = new Map<string, ScheduledWorkload__Output>(originals.map((w) => [w.id, w]));
  let sampling = true;
  const sampler = (async () => {
    let last = Date.now();
    while (sampling) {
      const ws = await Promise.all(originals.map((w) => client.getWorkload(w.id)));
      const now = Date.now();
      for (const [i, w] of ws.entries()) {
        current.set(w.id, w);
        const original = originals[i]!;
        const other = w.allocationId !== original.allocationId && w.state === 'WORKLOAD_STATE_RUNNING' && w.pid > 0;
        if (other && (await isAlive(original.pid)) && (await isAlive(w.pid))) {
          overlap.set(w.id, (overlap.get(w.id) ?? 0) + (now - last));
        }
      }
      last = now;
      await sleep(100);
    }
  })();
  await ha[how]();
  await sleep(holdMs);
  await ha.heal();
  const healedAt = Date.now();
  await waitFor('node-a up again', async () => (await nodeState(client, 'node-a')) === 'NODE_STATE_UP', {
    timeoutMs: 30_000,
    intervalMs: 50,
  });
  const backAfterMs = Date.now() - healedAt;
  // Let any fencing settle, still sampling.
  await sleep(3000);
  sampling = false;
  await sampler;
  return {
    overlapMs: Math.max(0, ...overlap.values()),
    backAfterMs,
    replaced: originals.map((w) => current.get(w.id)!),
  };
}

maybe(
  'a 3 s silent cut replaces nothing and kills nothing',
  async () => {
    const { client, ha, originals } = await setUp(undefined);
    const { overlapMs, replaced } = await cutOff(client, ha, originals, 'partition', 3000);
    expect(overlapMs).toBe(0);
    replaced.forEach((w, i) => {
      expect([w.state, w.allocationId, w.pid, w.attempt]).toEqual([
        'WORKLOAD_STATE_RUNNING',
        originals[i]!.allocationId,
        originals[i]!.pid,
        1,
      ]);
    });
    expect((await Promise.all(originals.map((w) => isAlive(w.pid)))).every(Boolean)).toBe(true);
  },
  60_000,
);

for (const [how, holdMs, lostAfterMs] of [
  ['partition', 20_000, 5000],
  ['cutLink', 20_000, 5000],
  ['partition', 90_000, undefined], // the cluster default, 30 s
] as const) {
  const lostAfter = lostAfterMs ?? 30_000;
  maybe(
    `a ${holdMs / 1000} s ${how === 'partition' ? 'silent partition' : 'cut link'} with lost_after ${lostAfter / 1000} s: replaced once, copies overlap at most lost_after + 5 s`,
    async () => {
      const { client, ha, originals } = await setUp(lostAfterMs);
      const { overlapMs, backAfterMs, replaced } = await cutOff(client, ha, originals, how, holdMs);
      console.log(
        `${how} ${holdMs} ms, lost_after ${lostAfter} ms: overlap ${overlapMs} ms, node back ${backAfterMs} ms after the heal`,
      );
      expect(overlapMs).toBeLessThanOrEqual(lostAfter + 5000);
      // The cut-off agent stopped its copies itself; the replacements run on node-b, once.
      for (const w of originals) expect(await isAlive(w.pid)).toBe(false);
      replaced.forEach((w) => {
        expect([w.state, w.nodeName, w.attempt]).toEqual(['WORKLOAD_STATE_RUNNING', 'node-b', 2]);
      });
      // Back long before TCP retransmission would have given up (15 s after the heal, before).
      expect(backAfterMs).toBeLessThan(10_000);
      // unknown while out of sight, then given up (lost) and replaced: never lost at once.
      const states = (await client.getWorkload(originals[0]!.id)).events.map((e) => e.state);
      expect(states.indexOf('WORKLOAD_STATE_UNKNOWN')).toBeGreaterThan(-1);
      expect(states.indexOf('WORKLOAD_STATE_LOST')).toBeGreaterThan(states.indexOf('WORKLOAD_STATE_UNKNOWN'));
    },
    holdMs + 90_000,
  );
}
