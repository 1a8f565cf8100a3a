// Restart policies through the whole manager (src/testing harness: in-memory store, fake agents,
// fake clock): what ends how, what runs again, when, and with how many tries.
import { afterEach, describe, expect, it } from '@jest/globals';
import * as grpc from '@grpc/grpc-js';
import { WorkloadHarness, type HarnessOptions } from '../testing/harness.js';
import { agentStatus } from '../testing/records.js';

let h: WorkloadHarness;
afterEach(async () => {
  await h?.close();
});

async function cluster(o: HarnessOptions = {}, nodes = ['n1']): Promise<WorkloadHarness> {
  h = await WorkloadHarness.open(o);
  for (const name of nodes) await h.register(name);
  return h;
}

describe('restart policies', () => {
  it('starts a submitted workload on a node and sees it running', async () => {
    await cluster();
    const w = await h.submit();
    expect(h.get(w.id)).toMatchObject({ state: 'running', nodeName: 'n1', attempt: 1 });
    expect(h.agent('n1').running()).toEqual([h.get(w.id).allocationId]);
    expect(h.statesOf(w.id)).toEqual(['starting', 'running']);
    expect(await h.stored(w.id)).toMatchObject({ state: 'running' });
  });

  it("an end heard before the start's answer (another connection): starting, running, then the end", async () => {
    await cluster();
    h.agent('n1').holdStarts = true;
    const w = await h.submit({ restart: 'never' });
    const allocationId = h.get(w.id).allocationId;
    const exit = { workloadId: w.id, pid: 4242, startedAtMs: h.clock.now(), finishedAtMs: h.clock.now() };
    await h.report('n1', agentStatus(allocationId, 'succeeded', exit));
    h.agent('n1').releaseStarts(); // the late answer (running) changes nothing now
    await h.clock.settle();
    expect(h.statesOf(w.id)).toEqual(['starting', 'running', 'succeeded']);
    expect(h.changes.filter((c) => c.id === w.id)[1]!.reason).toBe('running on n1 (pid 4242)');
    expect((await h.stored(w.id))!.events.map((e) => e.state)).toEqual(['pending', 'starting', 'running', 'succeeded']);
  });

  it.each([
    ['never', 'failed', 'failed'],
    ['never', 'succeeded', 'succeeded'],
    ['on-failure', 'succeeded', 'succeeded'],
    ['on-failure', 'failed', 'running'],
    ['always', 'succeeded', 'running'],
    ['always', 'failed', 'running'],
  ] as const)('%s: after it %s it is %s once the backoff has passed', async (restart, outcome, want) => {
    await cluster();
    const w = await h.submit({ restart });
    await h.end(w.id, outcome);
    await h.advance(1010); // the backoff (no jitter here), and the wake timer's 5 ms of slack
    expect(h.get(w.id).state).toBe(want);
    expect(h.get(w.id).attempt).toBe(want === 'running' ? 2 : 1);
  });

  it('waits out the backoff, doubling it after each failure in a row', async () => {
    await cluster();
    const w = await h.submit({ restart: 'on-failure', initialBackoffMs: 1000 });
    const waits: number[] = [];
    for (let i = 0; i < 4; i++) {
      await h.end(w.id, 'failed');
      const r = h.get(w.id);
      expect(r.state).toBe('pending');
      waits.push(r.notBeforeMs - h.clock.now());
      await h.advance(r.notBeforeMs - h.clock.now() - 1);
      expect(h.get(w.id).state).toBe('pending'); // not a moment early
      await h.advance(10);
      expect(h.get(w.id).state).toBe('running');
    }
    expect(waits).toEqual([1000, 2000, 4000, 8000]);
    expect(h.get(w.id).pastAllocations).toHaveLength(4);
  });

  it('caps the backoff at max_backoff', async () => {
    await cluster();
    const w = await h.submit({ restart: 'always', initialBackoffMs: 1000, maxBackoffMs: 3000 });
    const waits: number[] = [];
    for (let i = 0; i < 4; i++) {
      await h.end(w.id, 'succeeded');
      waits.push(h.get(w.id).notBeforeMs - h.clock.now());
      await h.advance(10_000);
    }
    expect(waits).toEqual([1000, 2000, 3000, 3000]);
  });

  it('gives up after max_attempts restarts in a row', async () => {
    await cluster();
    const w = await h.submit({ restart: 'on-failure', maxAttempts: 2 });
    for (let i = 0; i < 3; i++) {
      await h.end(w.id, 'failed', { reason: `exited with code ${i + 1}` });
      await h.advance(60_000);
    }
    expect(h.get(w.id)).toMatchObject({ state: 'failed', attempt: 3, restarts: 2, reason: 'exited with code 3 on n1' });
    expect(h.agent('n1').running()).toEqual([]);
  });

  it('never restarts a stopped workload, whatever its policy', async () => {
    await cluster();
    const w = await h.submit({ restart: 'always' });
    const allocationId = h.get(w.id).allocationId;
    await h.stop(w.id, 2000);
    await h.advance(60_000);
    expect(h.get(w.id)).toMatchObject({ state: 'stopped', attempt: 1, stopRequested: true });
    expect(h.agent('n1').calls).toContainEqual({ method: 'stop', allocationId, graceMs: 2000 });
  });

  it('stops a pending workload without asking any node', async () => {
    h = await WorkloadHarness.open();
    const w = await h.submit();
    expect(h.get(w.id).state).toBe('pending');
    await h.stop(w.id);
    expect(h.get(w.id)).toMatchObject({ state: 'stopped', reason: 'stopped before it was placed' });
    expect(h.manager.queueDepth()).toBe(0);
  });
});

describe('starts that fail', () => {
  it('retries a start its node could not take elsewhere, without using a restart', async () => {
    await cluster({}, ['n1', 'n2']);
    for (const n of ['n1', 'n2']) h.agent(n).unreachable = true;
    const w = await h.submit({ restart: 'never' });
    expect(h.get(w.id)).toMatchObject({ state: 'pending', restarts: 0 });
    expect(h.get(w.id).reason).toMatch(/^waiting to be placed again: start on n\d failed: .*ECONNREFUSED/);
    for (const n of ['n1', 'n2']) h.agent(n).unreachable = false;
    await h.advance(600);
    expect(h.get(w.id)).toMatchObject({ state: 'running', attempt: 2, restarts: 0 });
  });

  it('asks the node about a start that timed out: one that landed is not placed again', async () => {
    await cluster({}, ['n1', 'n2']);
    for (const n of ['n1', 'n2']) h.agent(n).timeoutStarts = 'landed';
    const w = await h.submit({ restart: 'never' });
    const first = h.get(w.id);
    expect(first).toMatchObject({ state: 'running', attempt: 1, restarts: 0 });
    const started = ['n1', 'n2'].flatMap((n) => h.agent(n).running());
    expect(started).toEqual([first.allocationId]);
    expect(h.agent(first.nodeName).calls.map((c) => c.method)).toEqual(['start', 'get']);
    expect(h.node(first.nodeName).startFailures).toBe(1);
  });

  it('asks the node about a start that timed out: one that never landed is placed again, no restart used', async () => {
    await cluster({}, ['n1', 'n2']);
    for (const n of ['n1', 'n2']) h.agent(n).timeoutStarts = 'lost';
    const w = await h.submit({ restart: 'never' });
    expect(h.get(w.id)).toMatchObject({ state: 'pending', restarts: 0 });
    expect(h.get(w.id).reason).toMatch(/^waiting to be placed again: start on n\d failed: Deadline exceeded/);
    for (const n of ['n1', 'n2']) h.agent(n).timeoutStarts = undefined;
    await h.advance(600);
    expect(h.get(w.id)).toMatchObject({ state: 'running', attempt: 2, restarts: 0 });
  });

  it('keeps asking while a node that timed out a start cannot say, and never places it twice', async () => {
    await cluster({}, ['n1', 'n2']);
    for (const n of ['n1', 'n2']) {
      h.agent(n).timeoutStarts = 'landed';
      h.agent(n).timeoutGets = true;
    }
    const w = await h.submit({ restart: 'never' });
    const { nodeName, allocationId } = h.get(w.id);
    expect(h.get(w.id)).toMatchObject({ state: 'starting', allocationId });
    expect(h.get(w.id).reason).toMatch(/Deadline exceeded; asking n\d whether it started/);
    await h.advance(1100 + 2100 + 4100);
    expect(h.get(w.id)).toMatchObject({ state: 'starting', allocationId });
    expect(h.agent(nodeName).calls.filter((c) => c.method === 'get').length).toBe(4);
    h.agent(nodeName).timeoutGets = false;
    await h.advance(8100);
    expect(h.get(w.id)).toMatchObject({ state: 'running', allocationId, attempt: 1 });
    expect(['n1', 'n2'].flatMap((n) => h.agent(n).running())).toEqual([allocationId]);
  });

  it("fails a workload its node refuses, sparing the node's breaker", async () => {
    await cluster();
    h.agent('n1').refuseStarts = { code: grpc.status.INVALID_ARGUMENT, message: 'no such program' };
    const w = await h.submit({ restart: 'never' });
    expect(h.get(w.id)).toMatchObject({ state: 'failed', reason: 'node n1 could not start it: no such program' });
    expect(h.node('n1').startFailures).toBe(0);
  });

  it('asks the node for the state of an allocation it already has', async () => {
    await cluster();
    h.agent('n1').holdStarts = true;
    const w = await h.submit();
    const allocationId = h.get(w.id).allocationId;
    // The scheduler is killed while the start is on its way. The node registers with the new one
    // with an inventory from before the start landed: the start is sent again, and the node,
    // which has it by then, answers ALREADY_EXISTS.
    h = await h.crash();
    expect(h.get(w.id).state).toBe('starting');
    await h.register('n1', { inventory: [] });
    h.agent('n1').holdStarts = false;
    h.agent('n1').releaseStarts();
    await h.clock.settle();
    expect(h.get(w.id)).toMatchObject({ state: 'running', allocationId, attempt: 1 });
    expect(h.agent('n1').calls.filter((c) => c.method !== 'stop')).toEqual([
      { method: 'start', allocationIds: [allocationId] },
      { method: 'start', allocationIds: [allocationId] },
      { method: 'get', allocationId },
    ]);
  });

  it("sends a tick's starts to each node as one call", async () => {
    await cluster();
    const ids = await Promise.all([1, 2, 3].map(() => h.manager.submit(requestOf()).then((s) => s.record.id)));
    await h.clock.settle();
    expect(ids.map((id) => h.get(id).state)).toEqual(['running', 'running', 'running']);
    expect(
      h
        .agent('n1')
        .calls.filter((c) => c.method === 'start')
        .map((c) => (c.method === 'start' ? c.allocationIds.length : 0)),
    ).toEqual([3]);
  });
});

function requestOf() {
  return {
    spec: { argv: ['true'], resources: { cpuMillis: 10, memoryBytes: 1 << 20 } },
    idempotencyKey: '',
    count: 0,
  } as never;
}
