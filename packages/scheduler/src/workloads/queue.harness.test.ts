// The pending queue through the whole manager (src/testing harness): what waits is placed highest
// priority first, oldest first within a priority, as room appears; a shape that fits nowhere is
// not tried again until something changes; backoffs hold; clients are refused past --max-pending.
import { afterEach, describe, expect, it } from '@jest/globals';
import * as grpc from '@grpc/grpc-js';
import { MoError } from '@mo/api';
import { request, WorkloadHarness } from '../testing/harness.js';

let h: WorkloadHarness;
afterEach(async () => {
  await h?.close();
});

describe('queue order', () => {
  it('places what waits by priority, then by age, one at a time as room appears', async () => {
    h = await WorkloadHarness.open();
    await h.register('n1', { cpuMillis: 1000 });
    const blocker = await h.submit({ cpuMillis: 1000, name: 'blocker' });
    const waiting: string[] = [];
    for (const [name, priority] of [
      ['low', 'low'],
      ['normal-1', 'normal'],
      ['high', 'high'],
      ['normal-2', 'normal'],
    ] as const) {
      waiting.push((await h.submit({ cpuMillis: 1000, name, priority })).id);
      await h.advance(1);
    }
    expect(waiting.map((id) => h.get(id).state)).toEqual(['pending', 'pending', 'pending', 'pending']);
    const order: string[] = [];
    let running = blocker.id;
    for (let i = 0; i < 4; i++) {
      await h.end(running, 'succeeded');
      running = waiting.find((id) => h.get(id).state === 'running')!;
      order.push(h.get(running).spec.name);
    }
    expect(order).toEqual(['high', 'normal-1', 'normal-2', 'low']);
  });

  it('does not try a shape that fits nowhere again until something changes', async () => {
    h = await WorkloadHarness.open();
    await h.register('n1', { cpuMillis: 1000 });
    const first = await h.submit({ cpuMillis: 2000 });
    expect(h.get(first.id).reason).toBe('waiting: 1 node: 1 lacked cpu');
    const tries = h.placements.length;
    const others = [await h.submit({ cpuMillis: 2000 }), await h.submit({ cpuMillis: 2000 })];
    await h.advance(60_000);
    expect(h.placements.length).toBe(tries); // they wait with the group's reason, untried
    expect(others.map((w) => h.get(w.id).reason)).toEqual([h.get(first.id).reason, h.get(first.id).reason]);
    // A bigger node registers: the group is tried again, oldest first.
    await h.register('n2', { cpuMillis: 8000 });
    expect([first, ...others].map((w) => h.get(w.id).state)).toEqual(['running', 'running', 'running']);
  });

  it('reopens a blocked shape when an allocation ends and frees room', async () => {
    h = await WorkloadHarness.open();
    await h.register('n1', { cpuMillis: 1000 });
    const small = await h.submit({ cpuMillis: 600 });
    const big = await h.submit({ cpuMillis: 600 });
    expect(h.get(big.id).state).toBe('pending');
    await h.end(small.id, 'succeeded');
    expect(h.get(big.id).state).toBe('running');
  });

  it('holds a restart in its backoff even when there is room', async () => {
    h = await WorkloadHarness.open();
    await h.register('n1');
    const w = await h.submit({ restart: 'always', initialBackoffMs: 10_000 });
    await h.end(w.id, 'succeeded');
    await h.submit(); // a change that runs a pass
    await h.advance(9_000);
    expect(h.get(w.id).state).toBe('pending');
    await h.advance(1_010);
    expect(h.get(w.id).state).toBe('running');
  });

  it('refuses a client submission that would wait past --max-pending', async () => {
    h = await WorkloadHarness.open({ maxPending: 2 });
    await h.submit();
    await h.submit();
    const refused = await h.submit().then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(refused).toBeInstanceOf(MoError);
    expect((refused as MoError).code).toBe(grpc.status.RESOURCE_EXHAUSTED);
    expect((refused as MoError).message).toMatch(/the workload queue is full \(2 pending, at most 2/);
    // A pipeline's step (unbounded) is still taken.
    await expect(h.manager.submit(request({}))).resolves.toMatchObject({
      record: { state: 'pending' },
    });
  });
});

describe('scheduler restarts', () => {
  it('keeps every acknowledged submission, re-queues what waited and re-takes reservations', async () => {
    h = await WorkloadHarness.open();
    await h.register('n1', { cpuMillis: 1000 });
    const running = await h.submit({ cpuMillis: 1000 });
    const waiting = await h.submit({ cpuMillis: 1000 });
    h = await h.crash();
    expect(h.get(running.id).state).toBe('running');
    expect(h.get(waiting.id).state).toBe('pending');
    expect(h.manager.queueDepth()).toBe(1);
    await h.register('n1', { cpuMillis: 1000 });
    // The running one still holds the node: the waiting one still waits.
    expect(h.get(waiting.id).state).toBe('pending');
    await h.end(running.id, 'succeeded');
    expect(h.get(waiting.id).state).toBe('running');
  });
});
