// The self-fencing rule in a harness: (workloads, last contact, clock) -> which to stop.
import { describe, expect, it, jest } from '@jest/globals';
import { createLogger } from '@mo/api';
import type { WorkloadRecord, WorkloadStateName } from '../workloads/record.js';
import { contactGraceMs, dueForFence, SelfFence, type ContactState, type FenceCandidate } from './self-fence.js';

const contact = (lastContactMs: number, heartbeatIntervalMs = 1000, downAfterMs = 5000): ContactState => ({
  lastContactMs,
  heartbeatIntervalMs,
  downAfterMs,
});

function w(
  id: string,
  lostAfterMs: number | undefined,
  state: WorkloadStateName = 'running',
  extra = {},
): FenceCandidate {
  return { spec: { id, lostAfterMs }, state, ...extra };
}

describe('contactGraceMs', () => {
  it("is two intervals, and never more than half the scheduler's down-after", () => {
    expect(contactGraceMs(contact(0, 1000, 5000))).toBe(2000);
    expect(contactGraceMs(contact(0, 1000, 1500))).toBe(750);
    expect(contactGraceMs(contact(0, 20_000, 100_000))).toBe(40_000);
  });
});

describe('dueForFence', () => {
  const all = [
    w('a', 30_000),
    w('b', 5_000),
    w('c', 0),
    w('never', undefined),
    w('ended', 0, 'succeeded'),
    w('stopping', 0, 'running', { stopRequested: true }),
    w('fenced', 0, 'running', { fenced: 'already' }),
  ];

  it('stops nothing while answers are within the grace', () => {
    expect(dueForFence(all, contact(10_000), 12_000)).toEqual({ due: [], nextDueMs: 12_001 });
  });

  it('stops each workload once cut off past grace + its lost_after, and says when the next is due', () => {
    const at = (now: number) => dueForFence(all, contact(10_000), now);
    expect(at(12_001).due.map((d) => d.id)).toEqual(['c']);
    expect(at(12_001).nextDueMs).toBe(17_001);
    expect(at(17_001).due.map((d) => d.id)).toEqual(['b', 'c']);
    expect(at(42_001)).toEqual({
      due: [
        { id: 'a', cutOffMs: 32_001, lostAfterMs: 30_000 },
        { id: 'b', cutOffMs: 32_001, lostAfterMs: 5_000 },
        { id: 'c', cutOffMs: 32_001, lostAfterMs: 0 },
      ],
      nextDueMs: Infinity,
    });
  });

  it('always stops before the scheduler can give the workload up', () => {
    // The scheduler gives up at (the last heartbeat it heard) + down-after + lost_after; it heard
    // at least the heartbeat whose answer was the agent's last contact, a network delay earlier.
    const delay = 50;
    for (const [interval, downAfter] of [
      [1000, 5000],
      [1000, 1100],
      [30_000, 150_000],
    ] as const) {
      const c = contact(100_000, interval, downAfter);
      const schedulerGivesUp = c.lastContactMs - delay + downAfter + 30_000;
      const agentStops = c.lastContactMs + contactGraceMs(c) + 30_000 + 1;
      expect(agentStops).toBeLessThanOrEqual(schedulerGivesUp);
    }
  });
});

describe('SelfFence', () => {
  it('fences what is due with a reason that says how long it was cut off', () => {
    const fence = jest.fn((_id: string, _reason: string) => Promise.resolve());
    const records = [w('b', 5_000), w('a', 30_000)] as unknown as WorkloadRecord[];
    const f = new SelfFence({
      workloads: { list: () => records, fence },
      contact: () => contact(10_000),
      logger: createLogger('error'),
    });
    expect(f.check(11_000)).toBe(0);
    expect(f.check(17_500)).toBe(1);
    expect(fence).toHaveBeenCalledWith(
      'b',
      'stopped by its agent: cut off from the scheduler for 7.5s, past its lost_after of 5s',
    );
  });

  it('looks at the end of the contact grace while in contact, every checkEveryMs out of it', () => {
    let last = 10_000;
    const f = new SelfFence({
      workloads: { list: () => [], fence: () => Promise.resolve() },
      contact: () => contact(last),
      logger: createLogger('error'),
      checkEveryMs: 500,
    });
    const grace = contactGraceMs(contact(last));
    expect(f.nextCheckInMs(10_000)).toBe(grace + 1);
    last = 11_000; // an answer moved the grace's end
    expect(f.nextCheckInMs(10_000 + grace + 1)).toBe(1000);
    expect(f.nextCheckInMs(11_000 + grace + 1)).toBe(500); // out of contact
  });
});
