// What an answer, a silence and a kept contact file mean, on a clock that is a plain number.
import { describe, expect, it } from '@jest/globals';
import {
  answered,
  contactWriteDelay,
  DEFAULT_DOWN_AFTER_MS,
  DEFAULT_HEARTBEAT_INTERVAL_MS,
  graceShortened,
  heartbeatInterval,
  initialContact,
  onHeartbeatDue,
  startedWork,
} from './contact.js';
import { contactGraceMs, type ContactState } from './self-fence.js';

describe('heartbeatInterval', () => {
  it.each([
    ['keeps the current interval when the scheduler names none', 5000, 0, 5000],
    ['takes the one the scheduler asks for', 5000, 2000, 2000],
    ['clamps one below 100 ms', 5000, 10, 100],
  ])('%s', (_what, current, asked, out) => {
    expect(heartbeatInterval(current, asked)).toBe(out);
  });
});

describe('answered', () => {
  const before = { lastContactMs: 1, heartbeatIntervalMs: 5000, downAfterMs: 7000 };

  it('is in contact at the time of the answer, with the interval and down-after asked for', () => {
    expect(answered(before, 1000, 3000, 50)).toEqual({
      lastContactMs: 50,
      heartbeatIntervalMs: 1000,
      downAfterMs: 3000,
    });
  });

  it('keeps the last down-after when the answer names none', () => {
    expect(answered(before, 1000, 0, 50).downAfterMs).toBe(7000);
  });

  it('keeps the busy timing an answer tells, and the last one when it tells none (an older scheduler)', () => {
    const busy = { heartbeatIntervalMs: 1000, downAfterMs: 5000 };
    const told = answered(before, 10_000, 50_000, 50, busy);
    expect(told.busy).toEqual(busy);
    expect(answered(told, 10_000, 50_000, 60, { heartbeatIntervalMs: 0, downAfterMs: 0 }).busy).toEqual(busy);
    expect(answered(before, 10_000, 50_000, 60).busy).toBeUndefined();
  });
});

describe('startedWork', () => {
  const busy = { heartbeatIntervalMs: 1000, downAfterMs: 5000 };
  // An idle node, last answered at t=100 s: 10 s interval, 50 s down-after, a 20 s grace.
  const idle = { lastContactMs: 100_000, heartbeatIntervalMs: 10_000, downAfterMs: 50_000, busy };
  const fenceFrom = (c: ContactState) => c.lastContactMs + contactGraceMs(c);

  it('takes up the busy timing, the start counted as contact', () => {
    expect(startedWork(idle, 105_000)).toEqual({
      lastContactMs: 105_000,
      heartbeatIntervalMs: 1000,
      downAfterMs: 5000,
      busy,
    });
  });

  it('never lets the fence come later than the old grace allowed (the scheduler deadline only shrinks)', () => {
    // A start 19.5 s after the last answer: the busy grace (2 s) from it would end at 121.5 s,
    // past the old grace's 120 s.
    const next = startedWork(idle, 119_500)!;
    expect(next.heartbeatIntervalMs).toBe(1000);
    expect(fenceFrom(next)).toBe(fenceFrom(idle));
    for (const at of [100_000, 101_000, 110_000, 118_000, 125_000]) {
      expect(fenceFrom(startedWork(idle, at)!)).toBeLessThanOrEqual(fenceFrom(idle));
      expect(fenceFrom(startedWork(idle, at)!)).toBeLessThanOrEqual(at + contactGraceMs({ lastContactMs: 0, ...busy }));
    }
  });

  it('changes nothing without a busy timing (an older scheduler) or on a node that beats that often already', () => {
    const { busy: _none, ...older } = idle;
    expect(startedWork(older, 105_000)).toBeUndefined();
    expect(startedWork({ ...idle, heartbeatIntervalMs: 1000, downAfterMs: 5000 }, 105_000)).toBeUndefined();
  });
});

describe('onHeartbeatDue', () => {
  it.each([
    ['beats while answers come', 1000, { kind: 'beat' }],
    ['still beats at exactly three unanswered intervals', 3000, { kind: 'beat' }],
    ['ends the session past three', 3001, { kind: 'end', reason: 'no answer from the scheduler for 3001 ms' }],
  ])('%s', (_what, now, out) => {
    expect(onHeartbeatDue(0, 1000, now)).toEqual(out);
  });
});

describe('initialContact', () => {
  const fresh = {
    lastContactMs: 99,
    heartbeatIntervalMs: DEFAULT_HEARTBEAT_INTERVAL_MS,
    downAfterMs: DEFAULT_DOWN_AFTER_MS,
  };

  it('starts from what a previous run kept', () => {
    const kept = { lastContactMs: 10, heartbeatIntervalMs: 100, downAfterMs: 2000 };
    expect(initialContact(JSON.stringify(kept), 99)).toEqual(kept);
    // As contact-file.ts writes it: padded in place to a fixed size.
    expect(initialContact(JSON.stringify(kept).padEnd(256), 99)).toEqual(kept);
  });

  it('keeps the busy timing it was told (a restarted agent may get a start before it registers)', () => {
    const kept = {
      lastContactMs: 10,
      heartbeatIntervalMs: 100,
      downAfterMs: 2000,
      busy: { heartbeatIntervalMs: 50, downAfterMs: 300 },
    };
    expect(JSON.stringify(kept).length).toBeLessThan(256); // contact-file.ts's fixed size
    expect(initialContact(JSON.stringify(kept).padEnd(256), 99)).toEqual(kept);
    expect(initialContact(JSON.stringify({ ...kept, busy: { heartbeatIntervalMs: 0 } }), 99)).toEqual({
      lastContactMs: 10,
      heartbeatIntervalMs: 100,
      downAfterMs: 2000,
    });
  });

  it('fills the defaults a kept file lacks', () => {
    expect(initialContact('{"lastContactMs":10,"heartbeatIntervalMs":0}', 99)).toEqual({ ...fresh, lastContactMs: 10 });
  });

  it.each([
    ['no file', undefined],
    ['a torn file', '{"lastCont'],
    ['a file opened but not yet written', ''],
    ['null', 'null'],
    ['no last contact', '{"heartbeatIntervalMs":100}'],
    ['a last contact of 0', '{"lastContactMs":0}'],
    ['a last contact that is not a number', '{"lastContactMs":"10"}'],
  ])('counts the silence from now with %s', (_what, kept) => {
    expect(initialContact(kept, 99)).toEqual(fresh);
  });
});

describe('contactWriteDelay', () => {
  it('allows a write at once the first time, then one a second', () => {
    expect(contactWriteDelay(-Infinity, 5)).toBeLessThanOrEqual(0);
    expect(contactWriteDelay(1000, 1200)).toBe(800);
    expect(contactWriteDelay(1000, 2500)).toBeLessThanOrEqual(0);
  });
});

describe('graceShortened', () => {
  const idle = { lastContactMs: 1, heartbeatIntervalMs: 10_000, downAfterMs: 50_000 };
  const busy = { lastContactMs: 2, heartbeatIntervalMs: 1000, downAfterMs: 5000 };
  it.each([
    ['idle → busy (work placed): at once', idle, busy, true],
    ['busy → idle (last workload ended): at the pace', busy, idle, false],
    ['the same timing: at the pace', busy, { ...busy, lastContactMs: 3 }, false],
    [
      'a longer interval only, grace capped by down-after: at the pace',
      busy,
      { ...busy, heartbeatIntervalMs: 2000 },
      false,
    ],
  ])('%s', (_what, before, after, now) => {
    expect(graceShortened(before, after)).toBe(now);
  });
});
