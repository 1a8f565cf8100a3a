import { describe, expect, it } from '@jest/globals';
import { onNodeDown, onReport, type AllocationReport } from './disconnect.js';
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
