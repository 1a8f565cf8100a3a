import { describe, expect, it } from '@jest/globals';
import { IndexedHeap } from './heap.js';
import { PendingQueue, shapeKey, type Shape, type Waiting } from './queue.js';

const NOW = 1_700_000_000_000;
const GiB = 1024 ** 3;

function shape(over: Partial<Shape> = {}): Shape {
  return { driver: 'process', resources: { cpuMillis: 100, memoryBytes: GiB }, constraints: {}, ...over };
}

let seq = 0;
function waiting(over: Partial<Waiting> = {}): Waiting {
  seq++;
  return {
    id: `w${String(seq).padStart(6, '0')}`,
    rank: 1,
    createdAtMs: NOW + seq,
    notBeforeMs: 0,
    shape: shape(),
    ...over,
  };
}

/** Takes out every workload the queue would try, in order (as if each were placed). */
function drain(q: PendingQueue): string[] {
  const out: string[] = [];
  for (let w = q.peek(); w; w = q.peek()) {
    out.push(w.id);
    q.remove(w.id);
  }
  return out;
}

describe('PendingQueue order', () => {
  it('tries higher priority first, then older, across shapes', () => {
    const q = new PendingQueue();
    const low = waiting({ rank: 2, createdAtMs: NOW });
    const oldNormal = waiting({
      rank: 1,
      createdAtMs: NOW + 1,
      shape: shape({ resources: { cpuMillis: 1, memoryBytes: 1 } }),
    });
    const newNormal = waiting({ rank: 1, createdAtMs: NOW + 5 });
    const high = waiting({ rank: 0, createdAtMs: NOW + 9, shape: shape({ driver: 'docker' }) });
    for (const w of [low, newNormal, oldNormal, high]) expect(q.add(w, NOW)).toBeUndefined();
    expect(drain(q)).toEqual([high.id, oldNormal.id, newNormal.id, low.id]);
    expect(q.size).toBe(0);
  });

  it('keeps the order when a group head is stopped', () => {
    const q = new PendingQueue();
    const a = waiting({ rank: 0 });
    const b = waiting({ rank: 2 });
    const c = waiting({ rank: 1, shape: shape({ driver: 'docker' }) });
    for (const w of [a, b, c]) q.add(w, NOW);
    expect(q.remove(a.id)).toBe(true);
    expect(q.remove(a.id)).toBe(false);
    expect(drain(q)).toEqual([c.id, b.id]);
  });
});

describe('PendingQueue blocking', () => {
  it('blocks a whole shape on one failed attempt; new workloads of that shape join without one', () => {
    const q = new PendingQueue();
    const members = Array.from({ length: 5 }, () => waiting());
    const other = waiting({ shape: shape({ resources: { cpuMillis: 1, memoryBytes: 1 } }) });
    for (const w of [...members, other]) q.add(w, NOW);
    const head = q.peek()!;
    expect(head.id).toBe(members[0]!.id);
    const blocked = q.block(head.id, 'waiting: 1 node: 1 lacked memory', Infinity, q.changes, NOW);
    expect(blocked.map((w) => w.id).sort()).toEqual(members.map((w) => w.id));
    // Only the other shape is left to try.
    expect(q.peek()?.id).toBe(other.id);
    expect(q.blockedReason(shape())).toBe('waiting: 1 node: 1 lacked memory');
    expect(q.add(waiting(), NOW)).toBe('waiting: 1 node: 1 lacked memory');
    expect(q.size).toBe(7);
    expect(q.stats()).toEqual({ delayed: 0, ready: 1, blocked: 6, blockedGroups: 1 });
  });

  it('reopens only the groups that fit where room appeared', () => {
    const q = new PendingQueue();
    const small = waiting({ shape: shape({ resources: { cpuMillis: 100, memoryBytes: GiB } }) });
    const big = waiting({ shape: shape({ resources: { cpuMillis: 100, memoryBytes: 64 * GiB } }) });
    for (const w of [small, big]) {
      q.add(w, NOW);
      q.block(w.id, 'no room', Infinity, q.changes, NOW);
    }
    expect(q.peek()).toBeUndefined();
    const asked: number[] = [];
    const reopened = q.unblock((s) => {
      asked.push(s.resources.memoryBytes);
      return s.resources.memoryBytes <= 4 * GiB;
    });
    expect(reopened).toBe(1);
    expect(asked.sort()).toEqual([GiB, 64 * GiB]);
    expect(drain(q)).toEqual([small.id]);
    expect(q.blockedReason(big.shape)).toBe('no room');
    expect(q.unblockAll()).toBe(1);
    expect(drain(q)).toEqual([big.id]);
  });

  it('asks once per blocked group, not once per waiting workload', () => {
    const q = new PendingQueue();
    for (let i = 0; i < 20_000; i++) q.add(waiting(), NOW);
    q.block(q.peek()!.id, 'no room', Infinity, q.changes, NOW);
    let asked = 0;
    q.unblock(() => {
      asked++;
      return false;
    });
    expect(asked).toBe(1);
    expect(q.peek()).toBeUndefined();
    expect(q.promote(NOW + 3_600_000)).toEqual([]);
    expect(q.nextDueMs()).toBe(Infinity);
  });

  it('does not block on an attempt that an event overtook (a missed unblock)', () => {
    const q = new PendingQueue();
    const w = waiting();
    const before = q.changes; // read before the attempt...
    q.unblock(() => true); // ...room appeared while the submission was being written...
    q.add(w, NOW);
    expect(q.block(w.id, 'no room', Infinity, before, NOW)).toEqual([]); // ...so it is tried again
    expect(q.peek()?.id).toBe(w.id);
  });

  it('reopens a group by itself when the avoidance it met ends', () => {
    const q = new PendingQueue();
    const w = waiting();
    q.add(w, NOW);
    q.block(w.id, 'waiting: 1 node: 1 avoided', NOW + 30_000, q.changes, NOW);
    expect(q.nextDueMs()).toBe(NOW + 30_000);
    q.promote(NOW + 29_999);
    expect(q.peek()).toBeUndefined();
    const changes = q.changes;
    q.promote(NOW + 30_000);
    expect(q.peek()?.id).toBe(w.id);
    expect(q.changes).toBe(changes + 1);
    expect(q.nextDueMs()).toBe(Infinity);
  });

  it('forgets a group once its last workload is gone', () => {
    const q = new PendingQueue();
    const w = waiting();
    q.add(w, NOW);
    q.block(w.id, 'no room', NOW + 1000, q.changes, NOW);
    q.remove(w.id);
    expect(q.blockedReason(w.shape)).toBeUndefined();
    expect(q.nextDueMs()).toBe(Infinity);
    expect(q.add(waiting(), NOW)).toBeUndefined();
  });
});

describe('PendingQueue backoff', () => {
  it('holds a workload until its not_before, then queues it in its group', () => {
    const q = new PendingQueue();
    const blocker = waiting();
    q.add(blocker, NOW);
    q.block(blocker.id, 'no room', Infinity, q.changes, NOW);
    const later = waiting({ notBeforeMs: NOW + 5000 });
    const sooner = waiting({ notBeforeMs: NOW + 1000, shape: shape({ driver: 'docker' }) });
    expect(q.add(later, NOW)).toBeUndefined();
    expect(q.add(sooner, NOW)).toBeUndefined();
    expect(q.peek()).toBeUndefined();
    expect(q.nextDueMs()).toBe(NOW + 1000);
    expect(q.promote(NOW + 1000)).toEqual([]);
    expect(q.peek()?.id).toBe(sooner.id);
    expect(q.nextDueMs()).toBe(NOW + 5000);
    // Its own shape is blocked: it joins, with the group's reason.
    expect(q.promote(NOW + 5000)).toEqual([{ w: later, reason: 'no room' }]);
    expect(q.stats()).toEqual({ delayed: 0, ready: 1, blocked: 2, blockedGroups: 1 });
  });

  it('re-adding a workload moves it (a restart of a queued one)', () => {
    const q = new PendingQueue();
    const w = waiting();
    q.add(w, NOW);
    q.add({ ...w, notBeforeMs: NOW + 10 }, NOW);
    expect(q.size).toBe(1);
    expect(q.peek()).toBeUndefined();
    q.promote(NOW + 10);
    expect(q.peek()?.id).toBe(w.id);
  });
});

describe('shapeKey', () => {
  it('ignores constraint order and tells shapes apart', () => {
    expect(shapeKey(shape({ constraints: { a: '1', b: '2' } }))).toBe(
      shapeKey(shape({ constraints: { b: '2', a: '1' } })),
    );
    expect(shapeKey(shape({ nodeName: 'n1' }))).not.toBe(shapeKey(shape()));
    expect(shapeKey(shape({ resources: { cpuMillis: 100, memoryBytes: GiB, hostPorts: 1 } }))).not.toBe(
      shapeKey(shape()),
    );
  });
});

describe('IndexedHeap', () => {
  it('pops in order through pushes, removals and re-orders', () => {
    const items = Array.from({ length: 300 }, (_, i) => ({ key: (i * 7919) % 1000 }));
    const heap = new IndexedHeap<{ key: number }>((a, b) => a.key < b.key);
    for (const it of items) heap.push(it);
    for (const it of items.slice(0, 100)) heap.remove(it);
    for (const it of items.slice(100, 150)) {
      it.key = 2000 - it.key;
      heap.update(it);
    }
    const out: number[] = [];
    for (let it = heap.pop(); it; it = heap.pop()) out.push(it.key);
    expect(out).toHaveLength(200);
    expect(out).toEqual([...out].sort((a, b) => a - b));
  });
});
