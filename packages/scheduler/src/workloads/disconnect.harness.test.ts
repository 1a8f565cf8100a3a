// Doubt is not death, through the whole manager (src/testing harness): a node that goes quiet
// makes its workloads unknown, nothing is rerun before lost_after, a node back within it finds its
// workloads as they are, and one back after it finds one copy kept and the other stopped.
import { afterEach, describe, expect, it } from '@jest/globals';
import { WorkloadHarness, type HarnessOptions, type Submission } from '../testing/harness.js';

let h: WorkloadHarness;
afterEach(async () => {
  await h?.close();
});

/** Two nodes; one workload running on n1 (n2 is full until the test says otherwise). */
async function runningOnN1(s: Submission = {}, o: HarnessOptions = {}) {
  h = await WorkloadHarness.open(o);
  await h.register('n1');
  const w = await h.submit({ restart: 'on-failure', lostAfterMs: 30_000, ...s });
  await h.register('n2');
  const original = h.get(w.id).allocationId;
  expect(h.get(w.id)).toMatchObject({ state: 'running', nodeName: 'n1' });
  return { id: w.id, original };
}

const startsOn = (name: string) => h.agent(name).calls.filter((c) => c.method === 'start');

describe('a node that goes quiet', () => {
  it('makes its workloads unknown, and reruns nothing before lost_after', async () => {
    const { id } = await runningOnN1();
    await h.nodeDown('n1');
    expect(h.get(id)).toMatchObject({ state: 'unknown', lostAtMs: h.clock.now() + 30_000 });
    expect(h.get(id).reason).toBe('node n1 down (no heartbeat for 5000 ms); given up in 30s unless it returns');
    await h.advance(29_999);
    expect(h.get(id).state).toBe('unknown');
    expect(startsOn('n2')).toEqual([]);
    expect(h.manager.queueDepth()).toBe(0);
  });

  it('finds it running again when its node returns within lost_after: no restart', async () => {
    const { id, original } = await runningOnN1();
    await h.nodeDown('n1');
    await h.advance(20_000);
    const { stop } = await h.register('n1');
    expect(stop).toEqual([]);
    expect(h.get(id)).toMatchObject({ state: 'running', allocationId: original, attempt: 1, restarts: 0 });
    expect(h.get(id).lostAtMs).toBeUndefined();
    await h.advance(60_000);
    expect(h.get(id).state).toBe('running');
    expect(startsOn('n1')).toHaveLength(1);
    expect(h.statesOf(id)).toEqual(['starting', 'running', 'unknown', 'running']);
  });

  it('takes the real exit of what ended while its node was away, then applies the restart policy', async () => {
    const { id, original } = await runningOnN1({ restart: 'never' });
    await h.nodeDown('n1');
    h.agent('n1').end(original, 'failed', { exitCode: 3, reason: 'exited with code 3' });
    await h.register('n1');
    expect(h.get(id)).toMatchObject({ state: 'failed', reason: 'exited with code 3 on n1' });
    expect(h.get(id).exit?.exitCode).toBe(3);
  });

  it('gives it up after lost_after and replaces it on another node at once', async () => {
    const { id, original } = await runningOnN1();
    await h.nodeDown('n1');
    await h.advance(30_000);
    const r = h.get(id);
    expect(r).toMatchObject({ state: 'running', nodeName: 'n2', attempt: 2, restarts: 1 });
    expect(r.givenUp).toMatchObject({ allocationId: original, nodeName: 'n1' });
    expect(r.pastAllocations).toEqual([expect.objectContaining({ allocationId: original, state: 'lost' })]);
    // Lost is an event on the way: watchers see it wait, then run elsewhere.
    expect(h.statesOf(id)).toEqual(['starting', 'running', 'unknown', 'pending', 'starting', 'running']);
    expect(r.events.map((e) => e.state)).toContain('lost');
  });

  it('loses it at once with lost_after 0', async () => {
    const { id } = await runningOnN1({ restart: 'never', lostAfterMs: 0 });
    await h.nodeDown('n1');
    expect(h.get(id)).toMatchObject({ state: 'lost', reason: 'node n1 down (no heartbeat for 5000 ms)' });
  });

  it('loses it at once when its node is removed for good', async () => {
    const { id } = await runningOnN1({ restart: 'never' });
    await h.nodeDown('n1');
    h.nodes.removeDown('n1', h.clock.now());
    await h.clock.settle();
    expect(h.get(id).state).toBe('lost');
  });

  it('counts a stop requested while its node is away as done, and fences the copy when it returns', async () => {
    const { id, original } = await runningOnN1({ restart: 'always' });
    await h.nodeDown('n1');
    await h.stop(id);
    expect(h.get(id)).toMatchObject({
      state: 'stopped',
      reason: 'stopped by request; node n1 is down, its copy is stopped if it returns',
    });
    const { stop } = await h.register('n1');
    expect(stop).toEqual([original]);
    expect(h.get(id).state).toBe('stopped');
  });
});

describe('a node that returns after lost_after', () => {
  it('keeps the original still running and stops the replacement (reconnect-keep original)', async () => {
    const { id, original } = await runningOnN1();
    await h.nodeDown('n1');
    await h.advance(30_000);
    const replacement = h.get(id).allocationId;
    const { stop } = await h.register('n1');
    expect(stop).toEqual([]);
    expect(h.get(id)).toMatchObject({ state: 'running', allocationId: original, nodeName: 'n1', restarts: 0 });
    expect(h.get(id).givenUp).toBeUndefined();
    expect(h.get(id).reason).toBe(
      `node n1 returned with the original still running: kept; replacement ${replacement} on n2 stopped`,
    );
    expect(h.agent('n2').calls).toContainEqual(expect.objectContaining({ method: 'stop', allocationId: replacement }));
    expect(h.agent('n2').running()).toEqual([]);
    // The replacement's end comes back as a report about an old allocation: ignored.
    expect(await h.report('n2', h.agent('n2').status(replacement))).toBe('ok');
    expect(h.get(id)).toMatchObject({ state: 'running', allocationId: original });
  });

  it('stops the original instead with reconnect-keep replacement', async () => {
    const { id, original } = await runningOnN1({}, { reconnectKeep: 'replacement' });
    await h.nodeDown('n1');
    await h.advance(30_000);
    const replacement = h.get(id).allocationId;
    const { stop } = await h.register('n1');
    expect(stop).toEqual([original]);
    expect(h.get(id)).toMatchObject({ state: 'running', allocationId: replacement, nodeName: 'n2' });
  });

  it('never runs again what succeeded while out of sight (on-failure): the replacement is stopped', async () => {
    const { id, original } = await runningOnN1();
    await h.nodeDown('n1');
    await h.advance(30_000);
    const replacement = h.get(id).allocationId;
    h.agent('n1').end(original, 'succeeded', { reason: 'exited with code 0' });
    await h.register('n1');
    expect(h.get(id)).toMatchObject({ state: 'succeeded', allocationId: original, nodeName: 'n1' });
    expect(h.agent('n2').calls).toContainEqual(expect.objectContaining({ method: 'stop', allocationId: replacement }));
    await h.advance(600_000);
    expect(h.get(id).state).toBe('succeeded');
  });

  it('keeps the replacement as the restart of an original that failed while out of sight', async () => {
    const { id, original } = await runningOnN1();
    await h.nodeDown('n1');
    await h.advance(30_000);
    const replacement = h.get(id).allocationId;
    h.agent('n1').end(original, 'failed', { reason: 'exited with code 1' });
    await h.register('n1');
    expect(h.get(id)).toMatchObject({ state: 'running', allocationId: replacement, nodeName: 'n2' });
    expect(h.get(id).events.at(-1)!.reason).toBe(
      'the original exited with code 1 on n1, reported after it was given up; its replacement stays',
    );
  });

  it('fences the copy of a workload lost and not restarted (restart never)', async () => {
    const { id, original } = await runningOnN1({ restart: 'never' });
    await h.nodeDown('n1');
    await h.advance(30_000);
    expect(h.get(id).state).toBe('lost');
    const { stop } = await h.register('n1');
    expect(stop).toEqual([original]);
    expect(h.get(id).state).toBe('lost');
  });
});
