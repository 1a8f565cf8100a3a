// Reconciling what nodes report with what the scheduler holds, through the whole manager (src/testing
// harness): copies unknown to us or stale are fenced, what a node should have but does not name is
// started again or checked, and the answers fold into the workloads.
import { afterEach, describe, expect, it } from '@jest/globals';
import { agentStatus } from '../testing/records.js';
import { request, WorkloadHarness } from '../testing/harness.js';

let h: WorkloadHarness;
afterEach(async () => {
  await h?.close();
});

async function oneNode(): Promise<WorkloadHarness> {
  h = await WorkloadHarness.open();
  await h.register('n1');
  return h;
}

describe('fencing', () => {
  it('tells a registering node to stop a running allocation unknown to the scheduler', async () => {
    await oneNode();
    const inventory = [agentStatus('STRAY', 'running', { workloadId: 'NOT-OURS' }), agentStatus('DONE', 'failed')];
    const { stop } = await h.register('n1', { inventory });
    expect(stop).toEqual(['STRAY']);
  });

  it('fences a stale allocation of a workload that has been restarted since', async () => {
    await oneNode();
    const w = await h.submit({ restart: 'on-failure' });
    const first = h.get(w.id).allocationId;
    await h.end(w.id, 'failed');
    await h.advance(1010);
    const second = h.get(w.id).allocationId;
    expect(second).not.toBe(first);
    // The first copy reported running again (a stale report, or a copy that survived): stopped.
    expect(await h.report('n1', agentStatus(first, 'running', { workloadId: w.id }))).toBe('stop');
    expect(h.get(w.id)).toMatchObject({ state: 'running', allocationId: second });
    const { stop } = await h.register('n1', {
      inventory: [agentStatus(first, 'running', { workloadId: w.id }), h.agent('n1').status(second)],
    });
    expect(stop).toEqual([first]);
  });

  it('fences the running copy of a workload whose stop was requested', async () => {
    await oneNode();
    const w = await h.submit();
    const allocationId = h.get(w.id).allocationId;
    h.agent('n1').unreachable = true;
    await expect(h.manager.stop(w.id, 0)).rejects.toThrow(
      /could not stop .* there .*it is stopped when the node reconnects/,
    );
    h.agent('n1').unreachable = false;
    expect(h.get(w.id)).toMatchObject({ state: 'running', stopRequested: true });
    expect(await h.report('n1', h.agent('n1').status(allocationId))).toBe('stop');
    expect(await h.report('n1', h.agent('n1').end(allocationId, 'stopped'))).toBe('ok');
    expect(h.get(w.id).state).toBe('stopped');
  });
});

describe('what a node does not name', () => {
  it('asks about a running allocation missing from the inventory, and loses it when the node does not have it', async () => {
    await oneNode();
    const w = await h.submit({ restart: 'never' });
    const allocationId = h.get(w.id).allocationId;
    h.agent('n1').forget(allocationId);
    await h.register('n1');
    expect(h.agent('n1').calls).toContainEqual({ method: 'get', allocationId });
    expect(h.get(w.id)).toMatchObject({ state: 'lost', reason: "missing from node n1's inventory when it registered" });
  });

  it('keeps a running allocation missing from an inventory taken before it started', async () => {
    await oneNode();
    const w = await h.submit();
    await h.register('n1', { inventory: [] });
    expect(h.get(w.id)).toMatchObject({ state: 'running', attempt: 1 });
  });

  it('starts again a starting workload its node does not have (after a scheduler restart)', async () => {
    await oneNode();
    h.agent('n1').unreachable = true;
    h.agent('n1').holdStarts = true;
    const w = await h.submit();
    const allocationId = h.get(w.id).allocationId;
    h = await h.crash();
    h.agent('n1').holdStarts = false;
    h.agent('n1').releaseStarts(); // the old start fails: the node was unreachable
    h.agent('n1').unreachable = false;
    await h.clock.settle();
    expect(h.get(w.id)).toMatchObject({ state: 'starting', allocationId });
    await h.register('n1');
    expect(h.get(w.id)).toMatchObject({ state: 'running', allocationId, attempt: 1 });
  });

  it('starts on its returning node an unknown workload whose start was never sent', async () => {
    await oneNode();
    // Placed and written, its start queued for the end of the tick: the node goes down first.
    const { record } = await h.manager.submit(request({}));
    h.nodes.markDown(h.node('n1').id, 'no heartbeat for 5000 ms', false, h.clock.now());
    await h.clock.settle();
    expect(h.get(record.id)).toMatchObject({ state: 'unknown', pid: 0 });
    expect(h.agent('n1').calls).toEqual([]);
    await h.register('n1');
    expect(h.get(record.id)).toMatchObject({ state: 'running', attempt: 1 });
    expect(h.get(record.id).events.map((e) => e.reason)).toContain('node n1 is back; starting it there');
  });
});
