// The drain decisions (decide.ts): requests, eligibility, and what a drain does with what is left.
import { describe, expect, it } from '@jest/globals';
import {
  DEFAULT_DRAIN_DEADLINE_MS,
  decideDrain,
  decideDrainRequest,
  decideEligibility,
  describeLeft,
  type DrainItem,
  type NodeDrainView,
} from './decide.js';

const T0 = Date.UTC(2030, 0, 1);
const up = (o: Partial<NodeDrainView> = {}): NodeDrainView => ({ name: 'n1', eligible: true, ...o });
const draining = (o: { deadlineMs?: number; force?: boolean } = {}): NodeDrainView =>
  up({
    eligible: false,
    drain: { startedAtMs: T0 - 1000, deadlineMs: o.deadlineMs ?? T0 + 60_000, force: o.force ?? false, drainedAtMs: 0 },
  });
const drained = up({
  eligible: false,
  drain: { startedAtMs: T0 - 9000, deadlineMs: T0, force: false, drainedAtMs: T0 - 10 },
});
const req = (o: Partial<{ deadlineMs: number; force: boolean; cancel: boolean }> = {}) => ({
  deadlineMs: 0,
  force: false,
  cancel: false,
  ...o,
});
const item = (id: string, kind: DrainItem['kind'], o: Partial<DrainItem> = {}): DrainItem => ({
  id,
  kind,
  state: 'running',
  stopRequested: false,
  ...o,
});

describe('decideDrainRequest', () => {
  it('starts a drain: the node ineligible, the deadline an hour away by default', () => {
    expect(decideDrainRequest(up(), req(), T0)).toEqual({
      eligible: false,
      drain: { startedAtMs: T0, deadlineMs: T0 + DEFAULT_DRAIN_DEADLINE_MS, force: false, drainedAtMs: 0 },
      event: 'draining',
    });
  });

  it('gives a drain under way the new deadline, and keeps when it started', () => {
    const c = decideDrainRequest(draining(), req({ deadlineMs: 5000 }), T0);
    expect(c).toMatchObject({ event: 'drain updated', drain: { startedAtMs: T0 - 1000, deadlineMs: T0 + 5000 } });
  });

  it('forces: the deadline is now', () => {
    expect(decideDrainRequest(draining(), req({ force: true }), T0).drain).toMatchObject({
      deadlineMs: T0,
      force: true,
    });
  });

  it('drains a drained node again as a new drain', () => {
    expect(decideDrainRequest(drained, req({ deadlineMs: 1000 }), T0)).toMatchObject({
      event: 'draining',
      drain: { startedAtMs: T0, drainedAtMs: 0 },
    });
  });

  it('cancels a drain: eligible again, the drain forgotten', () => {
    expect(decideDrainRequest(draining(), req({ cancel: true }), T0)).toEqual({
      eligible: true,
      drain: undefined,
      event: 'drain cancelled',
    });
    expect(decideDrainRequest(up({ eligible: false }), req({ cancel: true }), T0).event).toBe('unchanged');
  });

  it.each([
    [{ deadlineMs: -1 }, 'deadline_ms: must be between 0'],
    [{ deadlineMs: 31 * 24 * 3600 * 1000 }, 'deadline_ms: must be between 0'],
    [{ deadlineMs: 1.5 }, 'deadline_ms: must be between 0'],
    [{ cancel: true, force: true }, 'force: cannot be combined with cancel'],
    [{ cancel: true, deadlineMs: 10 }, 'deadline_ms: cannot be combined with cancel'],
  ])('refuses %j naming the field', (o, message) => {
    expect(() => decideDrainRequest(up(), req(o), T0)).toThrow(message);
  });
});

describe('decideEligibility', () => {
  it('makes a node ineligible and eligible again', () => {
    expect(decideEligibility(up(), false)).toEqual({ eligible: false, drain: undefined, event: 'ineligible' });
    expect(decideEligibility(up({ eligible: false }), true).event).toBe('eligible');
    expect(decideEligibility(up(), true).event).toBe('unchanged');
  });

  it('makes a drained node eligible, its drain over', () => {
    expect(decideEligibility(drained, true)).toEqual({ eligible: true, drain: undefined, event: 'eligible' });
  });

  it('refuses to make a draining node eligible, saying how to cancel', () => {
    expect(() => decideEligibility(draining(), true)).toThrow('node n1 is draining: cancel the drain');
  });
});

describe('decideDrain', () => {
  const work = [item('s1', 'service'), item('b1', 'batch'), item('w1', 'workload'), item('w2', 'workload')];

  it('before the deadline, moves nothing itself (services move by their jobs) and wakes at the deadline', () => {
    expect(decideDrain(draining(), work, T0)).toEqual({
      actions: [],
      left: { services: 1, batch: 1, workloads: 2 },
      wakeAtMs: T0 + 60_000,
    });
  });

  it('at the deadline, stops the jobs’ instances and re-places the plain workloads', () => {
    const plan = decideDrain(draining(), work, T0 + 60_000);
    expect(plan.actions.map((a) => `${a.kind} ${'workloadId' in a ? a.workloadId : ''}`)).toEqual([
      'stop s1',
      'stop b1',
      'migrate w1',
      'migrate w2',
    ]);
    expect(plan.actions[0]).toMatchObject({ reason: 'draining node n1: its deadline (61s) passed' });
    expect(plan.wakeAtMs).toBe(Infinity);
  });

  it('forced, does the same at once', () => {
    expect(decideDrain(draining({ force: true }), work, T0).actions).toHaveLength(4);
  });

  it('asks nothing again of what is already stopping, and leaves unknown ones to lost_after, counting both', () => {
    const plan = decideDrain(
      draining({ force: true }),
      [item('s1', 'service', { stopRequested: true }), item('w1', 'workload', { state: 'unknown' })],
      T0,
    );
    expect(plan.actions).toEqual([]);
    expect(plan.left).toEqual({ services: 1, batch: 0, workloads: 1 });
  });

  it('is drained once nothing is left', () => {
    expect(decideDrain(draining(), [], T0).actions).toEqual([{ kind: 'drained' }]);
  });

  it('does nothing for a node that is not draining', () => {
    expect(decideDrain(drained, work, T0).actions).toEqual([]);
    expect(decideDrain(up(), work, T0).actions).toEqual([]);
  });

  it('says what is left in words', () => {
    expect(describeLeft({ services: 2, batch: 1, workloads: 1 })).toBe('2 service instances, 1 batch, 1 workload left');
    expect(describeLeft({ services: 0, batch: 0, workloads: 0 })).toBe('nothing left');
  });
});
