// A rolling restart of every agent, one at a time, under load, with real parts: one scheduler
// (SQLite) on a netns bed's bridge, five agents each in its own network namespace. 50 long-running
// workloads are pinned ten to a node; while each agent in turn is stopped (SIGTERM) and started
// again on its data dir, short workloads keep being submitted (spread over whatever nodes are up).
// With the scheduler's defaults (down-after 5 s, lost_after 30 s): an agent that takes longer than
// 5 s to come back (it does on a loaded 2-core machine) has its node down and its workloads unknown
// for a while; they must come back running, never given up.
// Each workload appends its name to a file on start (the namespaces share the file system), so
// starts are counted on the agents, not by what the scheduler believes. Nothing may be lost or
// restarted: every long one keeps its allocation, pid and first attempt throughout; every short
// one runs exactly once and succeeds.
import { afterAll, expect, it } from '@jest/globals';
import type { ScheduledWorkload__Output, SchedulerClient } from '@mo/api';
import {
  createNetnsBed,
  isAlive,
  netnsUnavailable,
  requireTool,
  sleep,
  startAgentIn,
  startSchedulerProcess,
  stopAllWorkloads,
  waitFor,
  type AgentProcess,
  type NetnsBed,
  type NetnsHost,
  type SchedulerProcess,
} from '@mo/testkit';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const why = netnsUnavailable();
const maybe = requireTool(!why, `a network-namespace test bed (${why})`) ? it : it.skip;

const AGENTS = 5;
const LONG = 50;
/** One short submission per this many ms while the agents restart. */
const TRICKLE_MS = 250;

let bed: NetnsBed | undefined;
let scheduler: SchedulerProcess | undefined;
const agents: AgentProcess[] = [];
let dir = '';
afterAll(async () => {
  // Agents leave workloads running when they stop (by design): end them first.
  await Promise.allSettled(agents.map((a) => stopAllWorkloads(a)));
  await Promise.allSettled(agents.map((a) => a.kill('SIGTERM')));
  await scheduler?.kill('SIGTERM');
  await bed?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const nodeName = (i: number) => `node-${i + 1}`;

/** Starts agent i in its namespace (on `dataDir` to restart it); resolves once it has registered with its inventory. */
async function startAgent(h: NetnsHost, i: number, dataDir?: string): Promise<AgentProcess> {
  // Generous: on a loaded 2-core machine an agent's start alone can take over 15 s.
  const agent = await startAgentIn(h, {
    scheduler: scheduler!.grpcAddress,
    nodeName: nodeName(i),
    readyTimeoutMs: 60_000,
    registerTimeoutMs: 60_000,
    ...(dataDir && { dataDir }),
  });
  agents[i] = agent;
  return agent;
}

/** Lines of the start log: one workload name per start. */
function starts(file: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const name of readFileSync(file, 'utf8').split('\n').filter(Boolean)) {
    counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  return counts;
}

async function current(client: SchedulerClient, ids: readonly string[]): Promise<ScheduledWorkload__Output[]> {
  return Promise.all(ids.map((id) => client.getWorkload(id)));
}

maybe(
  'a rolling restart of all 5 agents under load loses and restarts nothing; every short workload runs exactly once',
  async () => {
    dir = mkdtempSync(join(tmpdir(), 'mo-rolling-'));
    chmodSync(dir, 0o755);
    const log = join(dir, 'starts');
    writeFileSync(log, '');
    chmodSync(log, 0o666); // workloads run as an unprivileged user
    // The name, not MO_WORKLOAD_ID: that is the allocation's id on the agent, new on each placement.
    const record = `echo "$MO_WORKLOAD_NAME" >> ${log}`;

    bed = await createNetnsBed({ hosts: AGENTS });
    scheduler = await startSchedulerProcess({ grpcListen: `${bed.hostAddress}:0` });
    const client = scheduler.client;
    for (const [i, h] of bed.hosts.entries()) await startAgent(h, i);

    const longIds = await Promise.all(
      Array.from({ length: LONG }, async (_, i) => {
        const { workload } = await client.submitWorkload({
          spec: { name: `long-${i}`, argv: ['sh', '-c', `${record} && exec sleep 600`], gracePeriodMs: 1000 },
          scheduling: { node: nodeName(i % AGENTS), restart: { mode: 'RESTART_MODE_ON_FAILURE' } },
        });
        return workload!.id;
      }),
    );
    const originals = await waitFor(
      `${LONG} long-running workloads running`,
      async () => {
        const ws = await current(client, longIds);
        return ws.every((w) => w.state === 'WORKLOAD_STATE_RUNNING' && w.pid > 0) ? ws : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 250 },
    );

    // Throughout: every long-running process alive, and the scheduler never giving one up or
    // moving it (unknown is allowed: a node whose agent is away past --down-after is doubted, and
    // doubt is not death). Sampled from /proc too: the namespaces share this machine's pids.
    const anomalies = new Set<string>();
    const doubted = new Set<string>();
    const watchErrors: string[] = [];
    let watching = true;
    const watcher = (async () => {
      while (watching) {
        const ws = await current(client, longIds).catch((err: Error) => {
          watchErrors.push(err.message); // a slow answer under load is no anomaly of the workloads
          return undefined;
        });
        if (!ws) continue;
        const alive = await Promise.all(originals.map((o) => isAlive(o.pid)));
        ws.forEach((w, i) => {
          const o = originals[i]!;
          if (w.state === 'WORKLOAD_STATE_UNKNOWN') doubted.add(w.id);
          const state = w.state === 'WORKLOAD_STATE_RUNNING' || w.state === 'WORKLOAD_STATE_UNKNOWN';
          if (!state || !alive[i] || w.allocationId !== o.allocationId || w.pid !== o.pid || w.attempt !== 1) {
            anomalies.add(
              `${w.spec?.name}: ${w.state} ${w.allocationId} pid ${w.pid} alive ${alive[i]} attempt ${w.attempt}`,
            );
          }
        });
        await sleep(250); // pacing the watcher
      }
    })();

    // The trickle: short workloads, spread over the nodes, while the agents restart.
    const shortIds: string[] = [];
    let submitting = true;
    const trickle = (async () => {
      for (let i = 0; submitting; i++) {
        const { workload } = await client.submitWorkload({
          spec: { name: `short-${i}`, argv: ['sh', '-c', `${record} && sleep 1`] },
          scheduling: { strategy: 'PLACEMENT_STRATEGY_SPREAD', restart: { mode: 'RESTART_MODE_ON_FAILURE' } },
          idempotencyKey: `rolling-short-${i}`,
        });
        shortIds.push(workload!.id);
        await sleep(TRICKLE_MS); // the load's pace, not a wait for something
      }
    })();

    let shorts: ScheduledWorkload__Output[];
    try {
      for (const [i, h] of bed.hosts.entries()) {
        const old = agents[i]!;
        const t0 = Date.now();
        await old.kill('SIGTERM');
        const t1 = Date.now();
        await startAgent(h, i, old.dataDir);
        console.log(`${nodeName(i)}: stopped in ${t1 - t0} ms, registered again ${Date.now() - t1} ms later`);
        await waitFor(
          `${nodeName(i)} up, its long-running workloads running`,
          async () => {
            const node = (await client.listNodes()).nodes.find((n) => n.name === nodeName(i));
            if (node?.state !== 'NODE_STATE_UP') return false;
            const mine = (await current(client, longIds)).filter((w) => w.nodeName === nodeName(i));
            return mine.length === LONG / AGENTS && mine.every((w) => w.state === 'WORKLOAD_STATE_RUNNING');
          },
          { timeoutMs: 20_000, intervalMs: 100 },
        );
      }
      submitting = false;
      await trickle;
      shorts = await waitFor(
        `${shortIds.length} short workloads ended`,
        async () => {
          const ws = await current(client, shortIds);
          const ended = (w: ScheduledWorkload__Output) =>
            w.state === 'WORKLOAD_STATE_SUCCEEDED' || w.state === 'WORKLOAD_STATE_FAILED';
          return ws.every(ended) ? ws : undefined;
        },
        { timeoutMs: 60_000, intervalMs: 250 },
      );
    } finally {
      // Also on a failure: neither loop may outlive the daemons it calls.
      submitting = watching = false;
      await Promise.allSettled([trickle, watcher]);
    }

    const after = await current(client, longIds);
    const startCounts = starts(log);
    const unknowns = after.filter((w) => w.events.some((e) => e.state === 'WORKLOAD_STATE_UNKNOWN')).length;
    console.log(
      `rolling restart: ${shortIds.length} short workloads submitted during it; ${unknowns} long-running ones ` +
        `were unknown for a while (${doubted.size} seen so); ${watchErrors.length} reads failed`,
    );
    expect(shortIds.length).toBeGreaterThan(AGENTS);
    expect([...anomalies]).toEqual([]);
    after.forEach((w, i) => {
      const o = originals[i]!;
      expect([w.state, w.allocationId, w.pid, w.attempt]).toEqual(['WORKLOAD_STATE_RUNNING', o.allocationId, o.pid, 1]);
      expect(w.events.map((e) => e.state)).not.toContain('WORKLOAD_STATE_LOST');
    });
    expect((await Promise.all(after.map((w) => isAlive(w.pid)))).every(Boolean)).toBe(true);
    // Listed with their events, so a failure says what happened to each. Not their attempt: a
    // start refused by a stopped agent (nothing ran) counts one, and is placed again.
    const notSucceeded = shorts.filter((w) => w.state !== 'WORKLOAD_STATE_SUCCEEDED' || w.exit?.exitCode !== 0);
    expect(
      notSucceeded.map((w) => [
        `${w.spec?.name} ${w.state} exit ${w.exit?.exitCode} attempt ${w.attempt}`,
        ...w.events.map((e) => `${e.state} ${e.reason}`),
      ]),
    ).toEqual([]);
    console.log(
      `${shorts.filter((w) => w.attempt > 1).length} short workloads had a start refused and were placed again`,
    );
    // Counted on the agents: every workload started exactly once.
    const names = [...originals, ...shorts].map((w) => w.spec!.name);
    const counted = names.map((name) => [name, startCounts.get(name) ?? 0]);
    expect(counted.filter(([, n]) => n !== 1)).toEqual([]);
    expect(startCounts.size).toBe(longIds.length + shortIds.length);
  },
  300_000,
);
