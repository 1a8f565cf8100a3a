import { describe, expect, it } from '@jest/globals';
import { agentStatus, workloadRecord } from '../testing/records.js';
import {
  lateEndStep,
  lostAfterStep,
  nextLostAtMs,
  nodeDownStep,
  onNodeDown,
  onReport,
  reinstateStep,
  type AllocationReport,
} from './disconnect.js';
import type { RestartModeName, WorkloadRecord, WorkloadStateName } from './record.js';

type View = Parameters<typeof onReport>[0] & {};

/** A workload whose current allocation is A1 on node N1. */
function workload(over: Partial<View> & { mode?: RestartModeName } = {}): View {
  const { mode = 'on-failure', ...rest } = over;
  return {
    state: 'running',
    allocationId: 'A1',
    nodeId: 'N1',
    stopRequested: false,
    scheduling: {
      constraints: {},
      node: '',
      priority: 'normal',
      restart: { mode, maxAttempts: 0, initialBackoffMs: 1000, maxBackoffMs: 300_000 },
      batch: false,
    },
    ...rest,
  };
}

/** The same workload after lost_after gave A1 up and replaced it with A2 on N2. */
function replaced(state: WorkloadStateName = 'running', over: Partial<View> & { mode?: RestartModeName } = {}): View {
  return workload({
    state,
    allocationId: 'A2',
    nodeId: 'N2',
    givenUp: { allocationId: 'A1', nodeId: 'N1', nodeName: 'n1', atMs: 1 },
    ...over,
  });
}

const report = (state: WorkloadStateName, allocationId = 'A1', nodeId = 'N1'): AllocationReport => ({
  allocationId,
  nodeId,
  state,
});

describe('onNodeDown', () => {
  const spec = (lostAfterMs?: number) => ({ spec: { lostAfterMs } as WorkloadRecord['spec'], stopRequested: false });

  it('makes a workload unknown until its own lost_after, else the cluster default', () => {
    expect(onNodeDown(spec(10_000), 1000, 30_000, false)).toEqual({ kind: 'unknown', lostAtMs: 11_000 });
    expect(onNodeDown(spec(undefined), 1000, 30_000, false)).toEqual({ kind: 'unknown', lostAtMs: 31_000 });
  });

  it('gives up at once with lost_after 0, or when the node is gone for good', () => {
    expect(onNodeDown(spec(0), 1000, 30_000, false)).toEqual({ kind: 'lost' });
    expect(onNodeDown(spec(10_000), 1000, 30_000, true)).toEqual({ kind: 'lost' });
  });

  it('counts a workload whose stop was requested as stopped', () => {
    expect(onNodeDown({ ...spec(10_000), stopRequested: true }, 1000, 30_000, false)).toEqual({ kind: 'stopped' });
  });
});

describe('onReport', () => {
  it.each<[string, View | undefined, AllocationReport, ReturnType<typeof onReport>]>([
    // Within the grace: the node returns and tells the truth.
    ['unknown, still running: back to running', workload({ state: 'unknown' }), report('running'), { kind: 'apply' }],
    ['unknown, ended meanwhile: its real end', workload({ state: 'unknown' }), report('succeeded'), { kind: 'apply' }],
    ['running, ended: its end', workload(), report('failed'), { kind: 'apply' }],
    [
      'a stop requested while running',
      workload({ stopRequested: true }),
      report('running'),
      { kind: 'stop', why: 'stop requested' },
    ],
    // Unknown to the scheduler.
    [
      'an allocation nobody knows, running',
      undefined,
      report('running'),
      { kind: 'stop', why: 'unknown to the scheduler' },
    ],
    ['an allocation nobody knows, ended', undefined, report('failed'), { kind: 'ignore' }],
    // Old copies that were not given up (e.g. replaced after a failed start, or stopped).
    [
      'an older allocation still running',
      workload({ allocationId: 'A3' }),
      report('running'),
      { kind: 'stop', why: 'replaced by a newer allocation' },
    ],
    ['an older allocation that ended', workload({ allocationId: 'A3' }), report('failed'), { kind: 'ignore' }],
    [
      'the copy of a workload stopped while its node was down',
      workload({ state: 'stopped' }),
      report('running'),
      { kind: 'stop', why: 'the workload is stopped' },
    ],
    // Past the grace: the original given up, replaced by A2.
    ['given up, still running: the original is kept', replaced(), report('running'), { kind: 'reinstate' }],
    [
      'given up, still running, replacement pending: kept',
      replaced('pending', { allocationId: '', nodeId: '' }),
      report('running'),
      { kind: 'reinstate' },
    ],
    [
      'given up, still running, workload over meanwhile',
      replaced('succeeded'),
      report('running'),
      { kind: 'stop', why: 'the workload is succeeded' },
    ],
    [
      'given up, still running, stop requested',
      replaced('running', { stopRequested: true }),
      report('running'),
      { kind: 'stop', why: 'stop requested' },
    ],
    [
      'given up and succeeded meanwhile (on-failure): never runs again',
      replaced(),
      report('succeeded'),
      { kind: 'late-end', takeOver: true },
    ],
    [
      'given up and failed meanwhile (on-failure): the replacement is its restart',
      replaced(),
      report('failed'),
      { kind: 'late-end', takeOver: false },
    ],
    [
      'given up and succeeded meanwhile (always): the replacement stays',
      replaced('running', { mode: 'always' }),
      report('succeeded'),
      { kind: 'late-end', takeOver: false },
    ],
    [
      'given up and ended, the replacement already ended too',
      replaced('failed'),
      report('succeeded'),
      { kind: 'ignore' },
    ],
    // Past the grace, not replaced (restart never): lost, then the truth.
    [
      'lost, not replaced, ended meanwhile: its real end',
      workload({
        state: 'lost',
        mode: 'never',
        givenUp: { allocationId: 'A1', nodeId: 'N1', nodeName: 'n1', atMs: 1 },
      }),
      report('failed'),
      { kind: 'late-end', takeOver: true },
    ],
    [
      'lost, not replaced, still running: stopped (the agent should have)',
      workload({
        state: 'lost',
        mode: 'never',
        givenUp: { allocationId: 'A1', nodeId: 'N1', nodeName: 'n1', atMs: 1 },
      }),
      report('running'),
      { kind: 'stop', why: 'the workload is lost' },
    ],
  ])('%s', (_name, w, rep, want) => {
    expect(onReport(w, rep, 'original')).toEqual(want);
  });

  it('stops the original instead when the rule keeps the replacement', () => {
    expect(onReport(replaced(), report('running'), 'replacement')).toEqual({
      kind: 'stop',
      why: 'given up after lost_after and replaced',
    });
  });

  it('does not mistake the same allocation id on another node for the current one', () => {
    expect(onReport(workload(), report('running', 'A1', 'N9'), 'original')).toEqual({
      kind: 'stop',
      why: 'replaced by a newer allocation',
    });
  });
});

// The Steps built on those verdicts: what the record becomes, and what else must happen.
describe('disconnect steps', () => {
  const half = () => 0.5;
  const NOW = 100_000;
  const node = { name: 'n1', reason: 'no heartbeat for 5000 ms' };

  it('makes a placed workload unknown, to be given up after its lost_after', () => {
    const s = nodeDownStep(
      workloadRecord({ spec: { ...workloadRecord().spec, lostAfterMs: 60_000 } }),
      node,
      false,
      NOW,
      30_000,
      half,
    )!;
    expect(s.next).toMatchObject({
      state: 'unknown',
      unknownSinceMs: NOW,
      lostAtMs: NOW + 60_000,
      pid: 100,
      allocationId: 'A1',
    });
    expect(s.next.reason).toBe('node n1 down (no heartbeat for 5000 ms); given up in 60s unless it returns');
  });

  it('leaves alone what is not placed there, or already unknown', () => {
    expect(nodeDownStep(workloadRecord({ state: 'pending' }), node, false, NOW, 30_000, half)).toBeUndefined();
    expect(
      nodeDownStep(workloadRecord({ state: 'unknown', lostAtMs: 5 }), node, false, NOW, 30_000, half),
    ).toBeUndefined();
  });

  it('loses a workload at once when its node is gone for good, then restarts it per policy', () => {
    const s = nodeDownStep(workloadRecord(), node, true, NOW, 30_000, half)!;
    expect(s.next).toMatchObject({ state: 'pending', notBeforeMs: NOW });
    expect(s.next.events.at(-2)).toMatchObject({ state: 'lost', reason: 'node n1 down (no heartbeat for 5000 ms)' });
  });

  it('counts a workload whose stop was requested as stopped when its node goes down', () => {
    const s = nodeDownStep(workloadRecord({ stopRequested: true }), node, false, NOW, 30_000, half)!;
    expect(s.next).toMatchObject({ state: 'stopped', reason: 'stopped by request; node n1 went down' });
  });

  it('gives up an unknown workload only once its lost_after has passed', () => {
    const r = workloadRecord({ state: 'unknown', unknownSinceMs: NOW - 30_000, lostAtMs: NOW + 1 });
    expect(lostAfterStep(r, NOW, half)).toBeUndefined();
    const s = lostAfterStep(r, NOW + 1, half)!;
    expect(s.next.givenUp).toEqual({ allocationId: 'A1', nodeId: 'N1', nodeName: 'n1', atMs: NOW + 1 });
    expect(s.next.state).toBe('pending'); // on-failure: lost is replaced at once
    expect(s.next.events.at(-2)!.reason).toBe('node n1 not heard from for 30s (lost_after 30s)');
  });

  it('does not give up a workload that is no longer unknown', () => {
    expect(lostAfterStep(workloadRecord({ lostAtMs: 1 }), NOW, half)).toBeUndefined();
  });

  it('finds when the first unknown workload is due', () => {
    const records = new Map([
      ['a', { lostAtMs: 30 }],
      ['b', { lostAtMs: 10 }],
      ['c', { lostAtMs: 20 }],
    ]);
    expect(nextLostAtMs(['a', 'b', 'c'], records)).toBe(10);
    expect(nextLostAtMs(['a', 'c'], records)).toBe(20);
    expect(nextLostAtMs([], records)).toBe(Infinity);
  });

  it('reinstates the original, stops the placed replacement and undoes its restart', () => {
    const r = workloadRecord({
      state: 'running',
      allocationId: 'A2',
      nodeId: 'N2',
      nodeName: 'n2',
      restarts: 1,
      givenUp: { allocationId: 'A1', nodeId: 'N1', nodeName: 'n1', atMs: 50_000 },
    });
    const s = reinstateStep(r, 'n1', agentStatus('A1', 'running', { pid: 7 }), NOW);
    expect(s.next).toMatchObject({
      state: 'running',
      allocationId: 'A1',
      nodeId: 'N1',
      pid: 7,
      restarts: 0,
      runningSinceMs: 50_000,
    });
    expect(s.next.givenUp).toBeUndefined();
    expect(s.next.reason).toBe('node n1 returned with the original still running: kept; replacement A2 on n2 stopped');
    expect(s.effects).toEqual([{ kind: 'stop-copy', nodeId: 'N2', allocationId: 'A2', graceMs: 5000 }]);
  });

  it('reinstates the original with nothing to stop when the replacement still waits', () => {
    const r = workloadRecord({
      state: 'pending',
      allocationId: '',
      givenUp: { allocationId: 'A1', nodeId: 'N1', nodeName: 'n1', atMs: 50_000 },
    });
    expect(reinstateStep(r, 'n1', agentStatus('A1', 'running'), NOW).effects).toEqual([]);
  });

  it('lets a late real end take over: its exit stands and the replacement is stopped', () => {
    const r = workloadRecord({
      allocationId: 'A2',
      nodeId: 'N2',
      nodeName: 'n2',
      restarts: 1,
      givenUp: { allocationId: 'A1', nodeId: 'N1', nodeName: 'n1', atMs: 50_000 },
    });
    const s = lateEndStep(r, agentStatus('A1', 'succeeded', { reason: 'exited with code 0' }), true, NOW);
    expect(s.next).toMatchObject({ state: 'succeeded', allocationId: 'A1', nodeId: 'N1', restarts: 0 });
    expect(s.next.exit?.exitCode).toBe(0);
    expect(s.next.reason).toBe(
      'exited with code 0 on n1, reported after it was given up; replacement A2 on n2 stopped',
    );
    expect(s.effects).toEqual([{ kind: 'stop-copy', nodeId: 'N2', allocationId: 'A2', graceMs: 5000 }]);
  });

  it('only notes a late end when the replacement is its restart', () => {
    const r = workloadRecord({
      allocationId: 'A2',
      nodeId: 'N2',
      givenUp: { allocationId: 'A1', nodeId: 'N1', nodeName: 'n1', atMs: 50_000 },
    });
    const s = lateEndStep(r, agentStatus('A1', 'failed', { reason: 'exited with code 1' }), false, NOW);
    expect(s.next).toMatchObject({ state: 'running', allocationId: 'A2' });
    expect(s.next.givenUp).toBeUndefined();
    expect(s.next.events.at(-1)!.reason).toBe(
      'the original exited with code 1 on n1, reported after it was given up; its replacement stays',
    );
    expect(s.effects).toEqual([]);
  });
});
