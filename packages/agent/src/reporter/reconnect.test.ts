// What a session's end means, on a clock that is a plain number and a fixed random: the wait
// before registering again and the log line.
import { describe, expect, it } from '@jest/globals';
import { status } from '@grpc/grpc-js';
import { Reconnect, type SessionEnd } from './reconnect.js';

/** random() = 0.5: an "equal jitter" delay is three quarters of its base. */
const newReconnect = () => new Reconnect({ initialBackoffMs: 200, maxBackoffMs: 5000, random: () => 0.5 });
const unavailable = Object.assign(new Error('connect ECONNREFUSED'), { code: status.UNAVAILABLE });

/** A Register that failed at `nowMs` after trying for 10 ms. */
const refused = (nowMs: number, o: Partial<SessionEnd> = {}): SessionEnd => ({
  startedAtMs: nowMs - 10,
  registered: false,
  failure: { error: unavailable },
  wasConnected: false,
  intervalMs: 5000,
  ...o,
});

describe('Reconnect.ended', () => {
  it('doubles the wait on each failure in a row, up to the cap', () => {
    const r = newReconnect();
    const delays = [1, 2, 3, 4, 5, 6, 7].map((i) => r.ended(refused(i * 10_000), i * 10_000).delayMs);
    // Bases 200, 400, 800, 1600, 3200, 5000, 5000; three quarters of each.
    expect(delays).toEqual([150, 300, 600, 1200, 2400, 3750, 3750]);
  });

  it.each([
    ['at least 1 s, however short the interval', 100, 1000],
    ['the heartbeat interval when between', 2000, 2000],
    ['maxBackoffMs, however long the interval', 60_000, 5000],
  ])('caps the wait at %s', (_what, intervalMs, cap) => {
    const r = newReconnect();
    let last = 0;
    for (let i = 1; i <= 10; i++) last = r.ended(refused(i, { intervalMs }), i).delayMs;
    expect(last).toBe(cap * 0.75);
  });

  it.each([
    // Four failures before: the next would wait 3200 × 0.75.
    ['starts the backoff over after a session that lived at least maxBackoffMs', 5000, 150],
    ['keeps backing off after a session that died soon after registering (a flapping scheduler)', 100, 2400],
  ])('%s', (_what, livedMs, delayMs) => {
    const r = newReconnect();
    for (let i = 1; i <= 4; i++) r.ended(refused(i), i);
    r.registered();
    const end = { ...refused(20_000), startedAtMs: 20_000 - livedMs, registered: true, wasConnected: true };
    expect(r.ended(end, 20_000).delayMs).toBe(delayMs);
  });

  it('logs a lost connection at warn every time, with the status name', () => {
    const r = newReconnect();
    for (const now of [1, 2]) {
      expect(r.ended(refused(now, { wasConnected: true }), now).log).toEqual({
        level: 'warn',
        message: 'lost connection to scheduler; reconnecting',
        fields: { code: 'UNAVAILABLE', error: 'connect ECONNREFUSED' },
      });
    }
  });

  it('logs why it cannot register at warn once a minute per kind, then says how many it held back', () => {
    const r = newReconnect();
    const logs = [0, 1000, 2000, 60_000].map((now) => r.ended(refused(now), now).log);
    expect(logs.map((l) => [l?.level, l?.message])).toEqual([
      ['warn', 'cannot register with scheduler; retrying'],
      ['debug', 'scheduler still unavailable'],
      ['debug', 'scheduler still unavailable'],
      ['warn', 'cannot register with scheduler; retrying'],
    ]);
    expect(logs[3]!.fields).toEqual({
      code: 'UNAVAILABLE',
      error: 'connect ECONNREFUSED',
      sameFailuresSinceLastLog: 2,
    });
  });

  it('names a failure without a gRPC status UNKNOWN, and a new kind of failure is news at once', () => {
    const r = newReconnect();
    r.ended(refused(0), 0);
    const log = r.ended(refused(1, { failure: { error: new Error('boom') } }), 1).log;
    expect(log).toMatchObject({ level: 'warn', fields: { code: 'UNKNOWN', error: 'boom' } });
  });

  it('warns again at once after a registration: the next failure is news', () => {
    const r = newReconnect();
    r.ended(refused(0), 0);
    r.registered();
    expect(r.ended(refused(1), 1).log).toMatchObject({ level: 'warn' });
  });

  it('logs nothing for a session that ended without a failure (closing)', () => {
    const r = newReconnect();
    expect(r.ended({ ...refused(0), failure: undefined }, 0).log).toBeUndefined();
  });
});
