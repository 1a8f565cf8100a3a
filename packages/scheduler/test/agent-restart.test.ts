// Doubt is not death, with real processes: an agent holding 200 workloads is SIGKILLed and
// restarted after 0, 3, 10 and 40 s, with the scheduler's defaults (heartbeat 1 s, down-after 5 s,
// lost-after 30 s). Half the workloads run on; the other half end while the agent is down (each with
// its own exit code, released together through a FIFO so the timing is the test's, not a sleep's).
// Within lost_after: nothing killed, nothing rerun, every exit code true. Past it: each long-running
// one is replaced exactly once, its original stopped when the agent returns, and exit codes are
// still true; a workload that succeeded while out of sight ends succeeded (its replacement is stopped).
import { afterEach, describe, expect, it } from '@jest/globals';
import type { SchedulerClient, ScheduledWorkload__Output, SubmitWorkloadRequest } from '@mo/api';
import {
  isAlive,
  sleep,
  startAgentProcess,
  startCluster,
  stopAllWorkloads,
  waitFor,
  type AgentProcess,
  type Cluster,
} from '@mo/testkit';
import { execFileSync } from 'node:child_process';
import { chmodSync, closeSync, constants, mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const LONG = 100;
const ENDING = 100;
/** Exit code of ending workload i: 0 for every fifth (restart on-failure: never runs again), else 1..4. */
const codeOf = (i: number) => i % 5;

interface Fleet {
  long: ScheduledWorkload__Output[];
  ending: ScheduledWorkload__Output[];
  /** Lets every ending workload exit (with its code). */
  release(): void;
}

async function submitFleet(client: SchedulerClient, dir: string): Promise<Fleet> {
  const gate = join(dir, 'gate');
  execFileSync('mkfifo', [gate]);
  chmodSync(dir, 0o711); // the workloads (nobody) open the FIFO (0644) for reading
  const reqs: SubmitWorkloadRequest[] = [];
  for (let i = 0; i < LONG; i++) {
    reqs.push({
      spec: { name: `long-${i}`, argv: ['sleep', '600'], gracePeriodMs: 1000 },
      scheduling: { restart: { mode: 'RESTART_MODE_ON_FAILURE' } },
    });
  }
  for (let i = 0; i < ENDING; i++) {
    reqs.push({
      // Blocks opening the FIFO until the test opens it for writing, then exits with its code.
      spec: { name: `ending-${i}`, argv: ['sh', '-c', `read x < ${gate}; exit ${codeOf(i)}`] },
      scheduling: { restart: { mode: codeOf(i) === 0 ? 'RESTART_MODE_ON_FAILURE' : 'RESTART_MODE_NEVER' } },
    });
  }
  const ids = (await Promise.all(reqs.map((r) => client.submitWorkload(r)))).map((r) => r.workload!.id);
  const all = await waitFor(
    `${ids.length} workloads running`,
    async () => {
      const ws = await Promise.all(ids.map((id) => client.getWorkload(id)));
      return ws.every((w) => w.state === 'WORKLOAD_STATE_RUNNING') ? ws : undefined;
    },
    { timeoutMs: 60_000, intervalMs: 250 },
  );
  return {
    long: all.slice(0, LONG),
    ending: all.slice(LONG),
    release() {
      // Non-blocking: every reader is already waiting in open(); they all get EOF at our close.
      closeSync(openSync(gate, constants.O_WRONLY | constants.O_NONBLOCK));
    },
  };
}

const states = (ws: ScheduledWorkload__Output[]) =>
  ws.reduce<Record<string, number>>((m, w) => ({ ...m, [w.state]: (m[w.state] ?? 0) + 1 }), {});

async function current(client: SchedulerClient, ws: ScheduledWorkload__Output[]) {
  return Promise.all(ws.map((w) => client.getWorkload(w.id)));
}

/** The workloads once every one of them satisfies `ok`. */
function once(
  client: SchedulerClient,
  ws: ScheduledWorkload__Output[],
  what: string,
  ok: (w: ScheduledWorkload__Output) => boolean,
  timeoutMs = 30_000,
): Promise<ScheduledWorkload__Output[]> {
  return waitFor(
    what,
    async () => {
      const now = await current(client, ws);
      return now.every(ok) ? now : undefined;
    },
    { timeoutMs, intervalMs: 250 },
  );
}

const ended = (w: ScheduledWorkload__Output) =>
  w.state === 'WORKLOAD_STATE_SUCCEEDED' || w.state === 'WORKLOAD_STATE_FAILED';

let cluster: Cluster | undefined;
let extra: AgentProcess | undefined;
let dir = '';
afterEach(async () => {
  if (extra) await stopAllWorkloads(extra).catch(() => undefined);
  await extra?.kill('SIGTERM');
  await cluster?.stop();
  cluster = extra = undefined;
  rmSync(dir, { recursive: true, force: true });
});

describe('an agent with 200 workloads SIGKILLed and restarted (scheduler defaults)', () => {
  it.each([0, 3000, 10_000])(
    'back after %i ms, within lost_after: 0 killed, 0 rerun, every exit code true',
    async (downMs) => {
      dir = mkdtempSync(join(tmpdir(), 'mo-restart-'));
      cluster = await startCluster({ agents: 1 });
      const client = cluster.scheduler.client;
      const fleet = await submitFleet(client, dir);

      await cluster.agents[0]!.kill('SIGKILL');
      const killedAt = Date.now();
      fleet.release();
      // The planned absence (the scenario, not a wait for something): the agent stays down this long.
      await sleep(Math.max(0, downMs - (Date.now() - killedAt)));
      const agent = await cluster.restartAgent(0);
      // How long the node was really unheard: until the restarted agent registered (on a loaded
      // machine a restart alone can take seconds, so the planned absence is not the real one).
      const registeredAt = await waitFor('the agent registered again', () => {
        const line = agent
          .logs()
          .split('\n')
          .find((l) => l.includes('"registered with scheduler"'));
        return line ? Date.parse((JSON.parse(line) as { ts: string }).ts) : undefined;
      });
      const unheardMs = registeredAt - killedAt;

      const long = await once(
        client,
        fleet.long,
        'the long-running ones running again',
        (w) => w.state === 'WORKLOAD_STATE_RUNNING',
      );
      const ending = await once(client, fleet.ending, 'the ending ones ended', ended);
      // Nothing killed: the same allocation, the same live process, first attempt.
      long.forEach((w, i) => {
        expect([w.allocationId, w.pid, w.attempt]).toEqual([fleet.long[i]!.allocationId, fleet.long[i]!.pid, 1]);
      });
      expect((await Promise.all(long.map((w) => isAlive(w.pid)))).every(Boolean)).toBe(true);
      // Every exit code true, nothing rerun (a succeeded one would have gone to attempt 2).
      ending.forEach((w, i) => {
        expect([w.state, w.exit?.exitCode, w.attempt, w.allocationId]).toEqual([
          codeOf(i) === 0 ? 'WORKLOAD_STATE_SUCCEEDED' : 'WORKLOAD_STATE_FAILED',
          codeOf(i),
          1,
          fleet.ending[i]!.allocationId,
        ]);
      });
      const events = [...long, ...ending].flatMap((w) => w.events.map((e) => e.state));
      expect(events).not.toContain('WORKLOAD_STATE_LOST');
      // Down past --down-after (5 s) shows as unknown for a while; a shorter absence not at all.
      // The last heartbeat was up to an interval (1 s) before the kill; between 4 and 6 s either
      // may happen, so only the clear cases are asserted (and the real absence is printed).
      console.log(`planned absence ${downMs} ms, unheard for ${unheardMs} ms after the kill`);
      if (unheardMs < 4000) expect(events).not.toContain('WORKLOAD_STATE_UNKNOWN');
      if (unheardMs > 6500) expect(events).toContain('WORKLOAD_STATE_UNKNOWN');
    },
    120_000,
  );

  it('back after 40 s, past lost_after: each replaced exactly once, the originals stopped on return, exit codes true', async () => {
    dir = mkdtempSync(join(tmpdir(), 'mo-restart-'));
    cluster = await startCluster({ agents: 1 });
    const client = cluster.scheduler.client;
    const fleet = await submitFleet(client, dir);
    // A second node joins once all 200 run on the first: the replacements go there.
    extra = await startAgentProcess({
      extraArgs: ['--scheduler', cluster.scheduler.grpcAddress, '--node-name', 'node-2'],
    });
    await cluster.waitForNodesUp(2);

    await cluster.agents[0]!.kill('SIGKILL');
    const killedAt = Date.now();
    fleet.release();
    // Given up 5 s (down-after) + 30 s (lost-after) after the last heartbeat: replaced on node-2.
    const replaced = await once(
      client,
      fleet.long,
      'the long-running ones replaced on node-2',
      (w) => w.state === 'WORKLOAD_STATE_RUNNING' && w.nodeName === 'node-2',
      60_000,
    );
    const givenUpAfter = Date.now() - killedAt;
    expect(givenUpAfter).toBeGreaterThanOrEqual(34_000);
    expect(replaced.every((w) => w.attempt === 2)).toBe(true);
    // The originals run on, out of sight, until their agent returns.
    expect((await Promise.all(fleet.long.map((w) => isAlive(w.pid)))).every(Boolean)).toBe(true);
    // Their replacements were placed in the same passes, and may still be starting (CI saw 5 of 20).
    const settledEnding = await once(
      client,
      fleet.ending,
      'the ending ones lost or replaced and running',
      (w) => w.state === 'WORKLOAD_STATE_RUNNING' || w.state === 'WORKLOAD_STATE_LOST',
    );
    expect(states(settledEnding)).toEqual({
      // exit 0 ones (on-failure) replaced too: the scheduler cannot know they succeeded
      WORKLOAD_STATE_RUNNING: ENDING / 5,
      WORKLOAD_STATE_LOST: ENDING - ENDING / 5,
    });

    await sleep(Math.max(0, 40_000 - (Date.now() - killedAt))); // the planned absence: 40 s in all
    await cluster.restartAgent(0);

    // The agent, cut off past lost_after, stopped its originals itself on return.
    for (const w of fleet.long) {
      await waitFor(`original of ${w.id} (pid ${w.pid}) stopped`, async () => !(await isAlive(w.pid)), {
        timeoutMs: 30_000,
      });
    }
    const ending = await once(client, fleet.ending, 'the ending ones settled with their real ends', ended);
    ending.forEach((w, i) => {
      expect([w.state, w.exit?.exitCode, w.nodeName]).toEqual([
        codeOf(i) === 0 ? 'WORKLOAD_STATE_SUCCEEDED' : 'WORKLOAD_STATE_FAILED',
        codeOf(i),
        'node-1',
      ]);
    });
    // Their replacements (on node-2) are stopped: a succeeded workload does not run on.
    await waitFor(
      'no replacement of an ended workload left on node-2',
      async () => {
        const { workloads } = await extra!.client.getFullNodeStatus();
        const ids = new Set(workloads.filter((x) => x.state === 'WORKLOAD_STATE_RUNNING').map((x) => x.spec!.id));
        return replaced.every((w) => ids.has(w.allocationId)) && ids.size === LONG;
      },
      { timeoutMs: 30_000 },
    );
    // Replaced exactly once: still the second allocation, running on node-2, a few seconds later
    // (a window that proves a negative).
    await sleep(3000);
    const settled = await current(client, fleet.long);
    settled.forEach((w, i) => {
      expect([w.state, w.nodeName, w.attempt, w.allocationId]).toEqual([
        'WORKLOAD_STATE_RUNNING',
        'node-2',
        2,
        replaced[i]!.allocationId,
      ]);
    });
  }, 180_000);
});
