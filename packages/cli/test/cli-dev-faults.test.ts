// `mo dev` under faults: a SIGKILLed agent comes back under the same node id with its workloads
// untouched, a SIGKILLed scheduler comes back and the cluster works; and Ctrl-C leaves no process
// it started — daemons, their restarts, mo-shim launchers and shims, every workload process — even
// when the scheduler and an agent are dead at that moment and the workload ignores SIGTERM.
import { describe, expect, it } from '@jest/globals';
import { isAlive, waitFor } from '@mo/testkit';
import {
  cleanUpDevAfterEach,
  descendantsOf,
  markedWorkload,
  mo,
  processesWith,
  shimRecords,
  startDev,
  stderrLine,
  type Dev,
} from './dev-cluster.js';

cleanUpDevAfterEach();

interface Workload {
  id: string;
  state: string;
  pid: number;
  allocationId: string;
  nodeName: string;
}
interface Node {
  id: string;
  name: string;
  state: string;
}

const uniqueMarker = (what: string) => `mo-dev-test-${what}-${process.pid}-${Date.now().toString(36)}`;

async function startMarked(dev: Dev, marker: string, node: string, ignoreTerm = false): Promise<Workload> {
  const r = await mo(
    dev.ready.scheduler.grpcAddress,
    'start',
    '--wait',
    '--json',
    '--node',
    node,
    '--',
    ...markedWorkload(marker, { ignoreTerm }),
  );
  expect(r.code).toBe(0);
  const w = (JSON.parse(r.stdout) as { workload: Workload }).workload;
  // The whole tree is up: the shell, its child shell and the escapee (each with the marker).
  await waitFor('the workload tree', () => processesWith(marker).length >= 3);
  return w;
}

async function workload(dev: Dev, id: string): Promise<Workload> {
  const r = await mo(dev.ready.scheduler.grpcAddress, 'status', id, '--json');
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as Workload;
}

async function nodes(dev: Dev): Promise<Node[]> {
  const r = await mo(dev.ready.scheduler.grpcAddress, 'nodes', '--json');
  if (r.code !== 0) return [];
  return (JSON.parse(r.stdout) as { nodes: Node[] }).nodes;
}

async function allUp(dev: Dev): Promise<Node[] | undefined> {
  const ns = await nodes(dev);
  return ns.length === dev.ready.agents.length && ns.every((n) => n.state === 'NODE_STATE_UP') ? ns : undefined;
}

/** Every pid given is gone, and so is every process carrying the marker. */
async function expectNothingLeft(pids: number[], marker: string): Promise<void> {
  const alive = [];
  for (const pid of new Set(pids)) if (await isAlive(pid)) alive.push(pid);
  expect(alive).toEqual([]);
  expect(processesWith(marker)).toEqual([]);
}

describe('mo dev under faults', () => {
  it('restarts a SIGKILLed agent (same node, workloads kept) and scheduler; SIGINT then leaves nothing', async () => {
    const dev = await startDev('--agents', '2');
    const { scheduler, agents } = dev.ready;
    const marker = uniqueMarker('restarts');
    const before = await startMarked(dev, marker, 'dev-0');
    const nodeId = (await nodes(dev)).find((n) => n.name === 'dev-0')!.id;
    // The agent's mo-shim launcher and what it forked (the spare shim, the workload's shim).
    const launched = descendantsOf(agents[0]!.pid);
    expect(launched.length).toBeGreaterThan(0);

    process.kill(agents[0]!.pid, 'SIGKILL');
    await stderrLine(dev, /^mo dev: dev-0 died \(killed by SIGKILL\); restarting it now$/m);
    const agentAgain = Number((await stderrLine(dev, /^mo dev: dev-0 restarted \(pid (\d+)\)$/m))[1]);
    const up = await waitFor('both nodes up again', () => allUp(dev));
    expect(up.find((n) => n.name === 'dev-0')!.id).toBe(nodeId);
    // Re-attached, not restarted or replaced: same allocation, same process, still running. (The
    // scheduler hears of it at the re-registration; the wait covers that report, nothing else.)
    const reattached = await waitFor('the workload reported running again', async () => {
      const w = await workload(dev, before.id);
      return w.state === 'WORKLOAD_STATE_RUNNING' ? w : undefined;
    });
    expect(reattached).toMatchObject({
      state: 'WORKLOAD_STATE_RUNNING',
      pid: before.pid,
      allocationId: before.allocationId,
      nodeName: 'dev-0',
    });
    expect(await isAlive(before.pid)).toBe(true);

    process.kill(scheduler.pid, 'SIGKILL');
    await stderrLine(dev, /^mo dev: scheduler died \(killed by SIGKILL\); restarting it now$/m);
    const schedulerAgain = Number((await stderrLine(dev, /^mo dev: scheduler restarted \(pid (\d+)\)$/m))[1]);
    await waitFor('both nodes up after the scheduler restart', () => allUp(dev));
    const after = await startMarked(dev, marker, 'dev-1');
    expect(after.state).toBe('WORKLOAD_STATE_RUNNING');
    expect(await workload(dev, before.id)).toMatchObject({ state: 'WORKLOAD_STATE_RUNNING', pid: before.pid });
    launched.push(...descendantsOf(agentAgain), ...descendantsOf(agents[1]!.pid));

    dev.child.kill('SIGINT');
    expect(await dev.exit).toEqual({ code: 0, signal: null });
    expect(dev.stderr()).toContain('mo dev: stopping 2 workload(s)');
    const shims = agents.flatMap((a) => shimRecords(a.dataDir)).flatMap((r) => [r.pid, r.shimPid]);
    expect(shims).toHaveLength(4);
    await expectNothingLeft(
      [scheduler.pid, schedulerAgain, ...agents.map((a) => a.pid), agentAgain, ...launched, ...shims],
      marker,
    );
  });

  it('leaves nothing after SIGINT when the scheduler and the agent are dead at that moment', async () => {
    // --stop-timeout 1s: also the grace between SIGTERM and SIGKILL for what is left.
    const dev = await startDev('--agents', '1', '--stop-timeout', '1s');
    const { scheduler, agents } = dev.ready;
    const marker = uniqueMarker('dead');
    await startMarked(dev, marker, 'dev-0', true);
    const launched = descendantsOf(agents[0]!.pid);

    // Nothing can stop the workload through an API now: the records on disk are all there is.
    process.kill(agents[0]!.pid, 'SIGKILL');
    process.kill(scheduler.pid, 'SIGKILL');
    dev.child.kill('SIGINT');
    expect(await dev.exit).toEqual({ code: 0, signal: null });
    expect(dev.stderr()).toMatch(
      /^mo dev: 1 workload\(s\) still running after the agents stopped: SIGTERM, SIGKILL after 1 s$/m,
    );
    const shims = shimRecords(agents[0]!.dataDir).flatMap((r) => [r.pid, r.shimPid]);
    expect(shims).toHaveLength(2);
    await expectNothingLeft([scheduler.pid, agents[0]!.pid, ...launched, ...shims], marker);
  });
});
