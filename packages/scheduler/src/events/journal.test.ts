import { describe, expect, it } from '@jest/globals';
import { WorkloadChanges } from './changes.js';
import { ClusterWatchSource } from './cluster-watch.js';
import { EventJournal, SEQ_BLOCK, type Cursor } from './journal.js';
import { FellBehindError } from './watch-stream.js';

type Ev = { seq: number; key: string; kind: 'event' | 'snapshot' | 'caught_up' };
const retention = { maxEvents: 100, maxBytes: 10_000, maxAgeMs: 60_000 };

function journal(o: Partial<ConstructorParameters<typeof EventJournal>[0]> = {}) {
  return new EventJournal<Ev>({ retention, ...o });
}
const publish = (j: EventJournal<Ev>, key: string, bytes = 10, nowMs = 1000) =>
  j.publish(
    key,
    (seq) => ({ seq, key, kind: 'event' }),
    () => bytes,
    nowMs,
  );

function cursor(nextSeq: number, key?: string): Cursor & { woken: number; why?: string } {
  const c: Cursor & { woken: number; why?: string } = {
    nextSeq,
    key,
    woken: 0,
    wake: () => void c.woken++,
    fellBehind: (why) => void (c.why = why),
  };
  return c;
}

/** Everything a source has to send now (stops at the first undefined). */
function drain(src: ClusterWatchSource<Ev>): string[] {
  const out: string[] = [];
  for (let item = src.next(); item; item = src.next())
    out.push(`${item.message.kind}:${item.message.key}@${item.message.seq}`);
  return out;
}

function source(j: EventJournal<Ev>, o: Partial<ConstructorParameters<typeof ClusterWatchSource<Ev>>[1]> = {}) {
  return new ClusterWatchSource<Ev>(j, {
    afterSeq: j.latestSeq,
    caughtUp: (seq) => ({ seq, key: '-', kind: 'caught_up' }),
    sizeOf: () => 1,
    ...o,
  });
}

describe('EventJournal', () => {
  it('numbers events +1 each and hands a cursor the ones of its key', () => {
    const j = journal();
    const all = cursor(1);
    const onlyB = cursor(1, 'b');
    j.subscribe(all);
    j.subscribe(onlyB);
    for (const k of ['a', 'b', 'a', 'b']) publish(j, k);
    expect(all.woken).toBe(4);
    expect(onlyB.woken).toBe(2);
    const seen = (c: Cursor) => {
      const out: number[] = [];
      for (let e = j.next(c); e && e !== 'behind'; e = j.next(c)) out.push(e.seq);
      return out;
    };
    expect(seen(all)).toEqual([1, 2, 3, 4]);
    expect(seen(onlyB)).toEqual([2, 4]);
  });

  it('moves a caught-up filtered cursor past events of other keys, so it never lags behind them', () => {
    const j = journal({ maxLag: { events: 3, bytes: 1e9 } });
    const c = cursor(1, 'mine');
    j.subscribe(c);
    for (let i = 0; i < 50; i++) publish(j, 'other');
    expect(c.why).toBeUndefined();
    expect(c.nextSeq).toBe(51);
  });

  it('cuts off a reader past its lag bound in events, and one past it in bytes', () => {
    const j = journal({ maxLag: { events: 3, bytes: 100 } });
    const slow = cursor(1);
    j.subscribe(slow);
    for (let i = 0; i < 3; i++) publish(j, 'a');
    expect(slow.why).toBeUndefined();
    publish(j, 'a');
    expect(slow.why).toMatch(/fell more than 3 events or 100 bytes behind; watch again with after_seq/);
    expect(j.readers).toBe(0);

    const heavy = cursor(j.latestSeq + 1);
    j.subscribe(heavy);
    publish(j, 'a', 60);
    publish(j, 'a', 60);
    expect(heavy.why).toMatch(/bytes behind/);
  });

  it('cuts off a reader whose next event aged out of the window', () => {
    const j = journal({ retention: { ...retention, maxAgeMs: 100 } });
    const c = cursor(1);
    j.subscribe(c);
    publish(j, 'a', 10, 1000);
    j.prune(1200);
    expect(c.why).toMatch(/events after seq 0 are no longer kept \(the oldest is 2\); relist/);
  });

  it('reserves sequence numbers a block ahead, and again past half of it', async () => {
    const reserved: number[] = [];
    const j = journal({ baseSeq: 700, reserve: async (upTo) => void reserved.push(upTo) });
    await j.start();
    expect(reserved).toEqual([700 + SEQ_BLOCK]);
    publish(j, 'a');
    expect(j.latestSeq).toBe(701);
    for (let i = 0; i < SEQ_BLOCK / 2; i++) publish(j, 'a');
    await Promise.resolve();
    // Reserved again once only half a block was left: at seq 700 + SEQ_BLOCK / 2.
    expect(reserved).toEqual([700 + SEQ_BLOCK, 700 + SEQ_BLOCK / 2 + SEQ_BLOCK]);
  });
});

describe('ClusterWatchSource', () => {
  it('live only: a caught_up marker at the current seq, then each event once', () => {
    const j = journal();
    publish(j, 'a');
    const src = source(j);
    expect(drain(src)).toEqual(['caught_up:-@1']);
    publish(j, 'b');
    publish(j, 'a');
    expect(drain(src)).toEqual(['event:b@2', 'event:a@3']);
  });

  it('resumes after a seq: the kept events after it, caught_up, then live', () => {
    const j = journal();
    for (const k of ['a', 'b', 'c']) publish(j, k);
    const src = source(j, { afterSeq: 1 });
    expect(drain(src)).toEqual(['event:b@2', 'event:c@3', 'caught_up:-@3']);
    publish(j, 'd');
    expect(drain(src)).toEqual(['event:d@4']);
  });

  it('a snapshot takes no numbers, and an event its entry already showed is not sent again', () => {
    const j = journal();
    publish(j, 'a'); // seq 1
    const snapshot = ['a', 'b'].map((key) => ({
      key,
      build: (seq: number) => ({ seq, key, kind: 'snapshot' as const }),
    }));
    const src = source(j, { snapshot });
    expect(src.next()?.message).toEqual({ seq: 1, key: 'a', kind: 'snapshot' });
    publish(j, 'b'); // seq 2: b changes before its snapshot entry is built, which then shows it
    publish(j, 'a'); // seq 3: but a's entry was built before: sent
    expect(drain(src)).toEqual(['snapshot:b@1', 'event:a@3', 'caught_up:-@3']);
    publish(j, 'b');
    expect(drain(src)).toEqual(['event:b@4']);
  });

  it('throws FellBehindError once its cursor is cut off, and lets go of it on close', () => {
    const j = journal({ maxLag: { events: 2, bytes: 1e9 } });
    const src = source(j);
    expect(drain(src)).toEqual(['caught_up:-@0']);
    for (let i = 0; i < 3; i++) publish(j, 'a');
    expect(() => src.next()).toThrow(FellBehindError);
    const other = source(j);
    other.close();
    expect(j.readers).toBe(0);
  });
});

describe('WorkloadChanges', () => {
  it('publishes a change of state, of reason or of history once, and a rewrite of the same state not at all', () => {
    const changes = new WorkloadChanges();
    const r = { state: 'starting', reason: 'placed', events: [{}] };
    expect(changes.take(r)).toBe(true);
    r.state = 'running';
    expect(changes.take(r)).toBe(true);
    expect(changes.take(r)).toBe(false); // persisted again (a stop request), nothing a watcher sees
    r.reason = 'waiting: 3 nodes lack memory';
    expect(changes.take(r)).toBe(true);
    r.events = [...r.events, {}]; // a new history entry with the same state and reason
    expect(changes.take(r)).toBe(true);
    expect(changes.take({ ...r })).toBe(true); // another record
  });
});
