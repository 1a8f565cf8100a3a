// Reconcile verdicts, one reported allocation at a time (Nomad's buckets: apply, fence, ignore),
// and what a complete inventory that does not name an allocation means.
import { describe, expect, it } from '@jest/globals';
import { agentStatus, workloadRecord } from '../testing/records.js';
import { onAllocationReport, onMissingConfirmed, onMissingFromInventory } from './reconcile.js';

const half = () => 0.5;
const NOW = 100_000;
const N1 = { id: 'N1', name: 'n1' };

describe('onAllocationReport', () => {
  it('fences a running allocation unknown to the scheduler, and ignores one that ended', () => {
    expect(onAllocationReport(undefined, N1, agentStatus('AX', 'running'), 'original', NOW, half)).toEqual({
      stop: true,
    });
    expect(onAllocationReport(undefined, N1, agentStatus('AX', 'failed'), 'original', NOW, half)).toEqual({
      stop: false,
    });
  });

  it('fences a stale allocation of a workload that has moved on', () => {
    const r = workloadRecord({ allocationId: 'A2' });
    expect(
      onAllocationReport(r, N1, agentStatus('A1', 'running', { workloadId: 'W1' }), 'original', NOW, half),
    ).toEqual({ stop: true });
  });

  it('fences the copy of a workload stopped while its node was away', () => {
    const r = workloadRecord({ state: 'stopped' });
    expect(onAllocationReport(r, N1, agentStatus('A1', 'running'), 'original', NOW, half)).toEqual({ stop: true });
  });

  it('fences a running copy whose stop was requested', () => {
    const r = workloadRecord({ stopRequested: true });
    expect(onAllocationReport(r, N1, agentStatus('A1', 'running'), 'original', NOW, half)).toEqual({ stop: true });
  });

  it('folds a report of the current allocation into its workload', () => {
    const r = workloadRecord({ state: 'starting' });
    const out = onAllocationReport(r, N1, agentStatus('A1', 'running'), 'original', NOW, half);
    expect(out.stop).toBe(false);
    expect(out.step!.next.state).toBe('running');
  });

  it('ignores a report of the current allocation on another node', () => {
    const out = onAllocationReport(
      workloadRecord(),
      { id: 'N9', name: 'n9' },
      agentStatus('A1', 'running'),
      'original',
      NOW,
      half,
    );
    expect(out).toEqual({ stop: true });
  });

  it('ignores states it does not know', () => {
    const status = { ...agentStatus('A1', 'running'), state: 'WORKLOAD_STATE_UNSPECIFIED' as const };
    expect(onAllocationReport(workloadRecord(), N1, status, 'original', NOW, half)).toEqual({ stop: false });
  });

  it('keeps the given-up original when it returns running, by the reconnect rule', () => {
    const r = workloadRecord({
      allocationId: 'A2',
      nodeId: 'N2',
      nodeName: 'n2',
      givenUp: { allocationId: 'A1', nodeId: 'N1', nodeName: 'n1', atMs: 1 },
    });
    const kept = onAllocationReport(r, N1, agentStatus('A1', 'running'), 'original', NOW, half);
    expect(kept.stop).toBe(false);
    expect(kept.step!.next.allocationId).toBe('A1');
    expect(onAllocationReport(r, N1, agentStatus('A1', 'running'), 'replacement', NOW, half)).toEqual({ stop: true });
  });
});

describe('onMissingFromInventory', () => {
  const seen = new Set(['A9']);

  it('starts again what was starting: the node answers ALREADY_EXISTS if the start did arrive', () => {
    const r = workloadRecord({ state: 'starting', pid: 0 });
    const s = onMissingFromInventory(r, N1, seen, NOW)!;
    expect(s).toEqual({ next: r, effects: [{ kind: 'start' }], persist: false });
  });

  it('starts again an unknown workload that never ran', () => {
    const s = onMissingFromInventory(workloadRecord({ state: 'unknown', pid: 0 }), N1, seen, NOW)!;
    expect(s.next).toMatchObject({ state: 'starting', reason: 'node n1 is back; starting it there' });
    expect(s.effects).toEqual([{ kind: 'start' }]);
  });

  it.each(['running', 'unknown'] as const)('asks the node about a %s one before calling it lost', (state) => {
    const r = workloadRecord({ state });
    expect(onMissingFromInventory(r, N1, seen, NOW)).toEqual({
      next: r,
      effects: [{ kind: 'verify' }],
      persist: false,
    });
  });

  it('leaves alone what the inventory named', () => {
    expect(onMissingFromInventory(workloadRecord(), N1, new Set(['A1']), NOW)).toBeUndefined();
  });

  it('loses a running allocation its node confirms it does not have, then restarts it per policy', () => {
    const s = onMissingConfirmed(workloadRecord(), 'A1', N1, NOW, half)!;
    expect(s.next.state).toBe('pending');
    expect(s.next.events.at(-2)).toMatchObject({
      state: 'lost',
      reason: "missing from node n1's inventory when it registered",
    });
  });

  it('does not lose an allocation that was replaced or ended meanwhile', () => {
    expect(onMissingConfirmed(workloadRecord({ allocationId: 'A2' }), 'A1', N1, NOW, half)).toBeUndefined();
    expect(onMissingConfirmed(workloadRecord({ state: 'failed' }), 'A1', N1, NOW, half)).toBeUndefined();
  });
});
