import { describe, expect, it } from '@jest/globals';
import { EventRing, type RetentionLimits } from './ring.js';

const limits = (l: Partial<RetentionLimits> = {}): RetentionLimits => ({
  maxEvents: 4,
  maxBytes: 1000,
  maxAgeMs: 60_000,
  ...l,
});

function fill(ring: EventRing<string>, from: number, to: number, bytes = 10, atMs = 1000): void {
  for (let seq = from; seq <= to; seq++) ring.push({ seq, atMs, bytes, key: `k${seq % 2}`, event: `e${seq}` });
}

describe('EventRing', () => {
  it('keeps the last maxEvents events in order and finds them by seq', () => {
    const ring = new EventRing<string>(limits());
    fill(ring, 1, 6);
    expect([ring.oldestSeq, ring.latestSeq, ring.size]).toEqual([3, 6, 4]);
    expect([3, 4, 5, 6].map((s) => ring.get(s)?.event)).toEqual(['e3', 'e4', 'e5', 'e6']);
    expect(ring.get(2)).toBeUndefined();
    expect(ring.get(7)).toBeUndefined();
  });

  it('drops the oldest events past maxBytes, but always keeps the newest', () => {
    const ring = new EventRing<string>(limits({ maxEvents: 100, maxBytes: 100 }));
    fill(ring, 1, 5, 30);
    expect([ring.oldestSeq, ring.retainedBytes]).toEqual([3, 90]);
    ring.push({ seq: 6, atMs: 1000, bytes: 500, key: 'k', event: 'big' });
    expect([ring.oldestSeq, ring.size, ring.retainedBytes]).toEqual([6, 1, 500]);
  });

  it('drops events past maxAgeMs when pruned, and is then empty above the latest seq', () => {
    const ring = new EventRing<string>(limits({ maxAgeMs: 100 }));
    fill(ring, 1, 2, 10, 1000);
    fill(ring, 3, 3, 10, 1050);
    ring.prune(1101);
    expect([ring.oldestSeq, ring.size]).toEqual([3, 1]);
    ring.prune(1151);
    expect([ring.oldestSeq, ring.latestSeq, ring.size]).toEqual([4, 3, 0]);
  });

  it('starts numbering after its base (a restarted scheduler) and refuses a seq out of order', () => {
    const ring = new EventRing<string>(limits(), 500);
    expect([ring.oldestSeq, ring.latestSeq]).toEqual([501, 500]);
    expect(() => ring.push({ seq: 502, atMs: 0, bytes: 1, key: 'k', event: 'x' })).toThrow('expected seq 501');
  });

  it.each([
    ['the latest seq', 6, { ok: true }],
    ['just before the oldest kept', 2, { ok: true }],
    ['older than that', 1, { ok: false, reason: 'too_old', oldest: 3, latest: 6 }],
    ['ahead of the latest', 7, { ok: false, reason: 'ahead', oldest: 3, latest: 6 }],
  ])('check: a reader that has seen up to %s', (_, afterSeq, expected) => {
    const ring = new EventRing<string>(limits());
    fill(ring, 1, 6);
    expect(ring.check(afterSeq)).toEqual(expected);
  });

  it('measures how far a reader lags in events and bytes', () => {
    const ring = new EventRing<string>(limits({ maxEvents: 10 }));
    fill(ring, 1, 3, 10);
    fill(ring, 4, 5, 100);
    expect(ring.lag(3)).toEqual({ events: 3, bytes: 210 });
    expect(ring.lag(5)).toEqual({ events: 1, bytes: 100 });
    expect(ring.lag(6)).toEqual({ events: 0, bytes: 0 });
  });

  it.each([['maxEvents'], ['maxBytes'], ['maxAgeMs']] as const)('rejects a %s that is not positive', (k) => {
    expect(() => new EventRing(limits({ [k]: 0 }))).toThrow(`retention ${k}`);
  });
});
