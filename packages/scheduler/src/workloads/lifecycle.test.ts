// The pure lifecycle decisions, one rule at a time: (record, event, now) -> Step. No manager, no
// store, no clock: the harness tests (src/testing) run the same rules through the manager.
import { describe, expect, it } from '@jest/globals';
import * as grpc from '@grpc/grpc-js';
import { START_REFUSED_PREFIX } from '@mo/api';
import { agentStatus, workloadRecord } from '../testing/records.js';
import {
  moveTo,
  onAgentStatus,
  onAllocationEnd,
  onPlaced,
  onStartFailed,
  onStartUnconfirmed,
  onStartRetry,
  onStopRequest,
  onStopUnreachable,
  START_RETRY_MS,
} from './lifecycle.js';
import { MAX_EVENTS, type RestartModeName, type WorkloadStateName } from './record.js';

const half = () => 0.5; // no jitter
const NOW = 100_000;

describe('moveTo', () => {
  it('records the event and the time, and never changes its input', () => {
    const r = workloadRecord();
    const before = structuredClone(r);
    const next = moveTo(r, 'failed', 'exit 1 on n1', NOW);
    expect(r).toEqual(before);
    expect(next).toMatchObject({ state: 'failed', reason: 'exit 1 on n1', updatedAtMs: NOW });
    expect(next.events.at(-1)).toEqual({ state: 'failed', reason: 'exit 1 on n1', atMs: NOW });
  });

  it('forgets when it became unknown once it is no longer, and keeps ports only while it may run', () => {
    const unknown = workloadRecord({
      state: 'unknown',
      unknownSinceMs: 1,
      lostAtMs: 2,
      ports: [{ containerPort: 80, hostPort: 8080, hostIp: '' }],
    });
    const back = moveTo(unknown, 'running', 'back', NOW);
    expect(back.unknownSinceMs).toBeUndefined();
    expect(back.lostAtMs).toBeUndefined();
    expect(back.ports).toHaveLength(1);
    expect(moveTo(unknown, 'lost', 'gone', NOW).ports).toBeUndefined();
  });

  it(`keeps the last ${MAX_EVENTS} events`, () => {
    let r = workloadRecord();
    for (let i = 0; i < MAX_EVENTS + 5; i++) r = moveTo(r, 'running', `event ${i}`, NOW + i);
    expect(r.events).toHaveLength(MAX_EVENTS);
    expect(r.events.at(-1)!.reason).toBe(`event ${MAX_EVENTS + 4}`);
  });
});

describe('onPlaced', () => {
  it('starts a fresh allocation on the node, with nothing of the last run', () => {
    const r = workloadRecord({
      state: 'pending',
      allocationId: '',
      pid: 0,
      attempt: 2,
      exit: { exited: true, exitCode: 1, signal: '', finishedAtMs: 5 },
      runAs: 'nobody',
      notBeforeMs: 7,
    });
    const next = onPlaced(r, { id: 'N2', name: 'n2' }, 'A2', NOW);
    expect(next).toMatchObject({
      state: 'starting',
      reason: 'placed on n2',
      allocationId: 'A2',
      nodeId: 'N2',
      nodeName: 'n2',
      attempt: 3,
      pid: 0,
      notBeforeMs: 0,
    });
    expect(next.exit).toBeUndefined();
    expect(next.runAs).toBeUndefined();
  });
});

describe('onAgentStatus', () => {
  it('makes a starting workload running, with its pid, ports and start time', () => {
    const r = workloadRecord({ state: 'starting', pid: 0, runningSinceMs: 0 });
    const s = onAgentStatus(
      r,
      agentStatus('A1', 'running', {
        pid: 42,
        startedAtMs: 99_000,
        runAs: 'nobody (65534:65534)',
        ports: [{ containerPort: 80, hostPort: 30080, hostIp: '0.0.0.0' }],
      }),
      NOW,
      half,
    )!;
    expect(s.persist).toBe(true);
    expect(s.effects).toEqual([]);
    expect(s.next).toMatchObject({
      state: 'running',
      pid: 42,
      runningSinceMs: 99_000,
      runAs: 'nobody (65534:65534)',
      reason: 'running on n1 (pid 42)',
    });
    expect(s.next.ports).toEqual([{ containerPort: 80, hostPort: 30080, hostIp: '0.0.0.0' }]);
  });

  it('takes the time of the report when the agent gives no start time', () => {
    const r = workloadRecord({ state: 'starting', runningSinceMs: 0 });
    expect(onAgentStatus(r, agentStatus('A1', 'running'), NOW, half)!.next.runningSinceMs).toBe(NOW);
  });

  it('brings an unknown workload back to running, no restart', () => {
    const r = workloadRecord({ state: 'unknown', unknownSinceMs: 1, lostAtMs: 2 });
    const next = onAgentStatus(r, agentStatus('A1', 'running', { pid: 100 }), NOW, half)!.next;
    expect(next).toMatchObject({ state: 'running', reason: 'node n1 is back: running on n1 (pid 100)', restarts: 0 });
    expect(next.lostAtMs).toBeUndefined();
  });

  it("words a start the agent refused as the start call's error does (they race)", () => {
    const r = workloadRecord({ state: 'starting', restart: { mode: 'never' } });
    const reason = 'could not start: spec.docker.ports: no free host port in 4735-4735';
    const next = onAgentStatus(r, agentStatus('A1', 'failed', { reason }), NOW, half)!.next;
    expect(next).toMatchObject({
      state: 'failed',
      reason: 'node n1 could not start it: spec.docker.ports: no free host port in 4735-4735',
    });
    // A running workload that fails later keeps the agent's words, with its node.
    const later = onAgentStatus(workloadRecord(), agentStatus('A1', 'failed', { reason: 'exit code 1' }), NOW, half);
    expect(later!.next.events.some((e) => e.reason === 'exit code 1 on n1')).toBe(true);
  });

  it('an end that overtook the start answer: running first (its own step, with its pid), then the end', () => {
    const r = workloadRecord({ state: 'starting', pid: 0, runningSinceMs: 0, restart: { mode: 'never' } });
    const status = agentStatus('A1', 'succeeded', { pid: 42, startedAtMs: 99_000, finishedAtMs: 99_500 });
    const s = onAgentStatus(r, status, NOW, half)!;
    expect(s.before).toMatchObject({ persist: true, effects: [] });
    expect(s.before!.next).toMatchObject({ state: 'running', pid: 42, runningSinceMs: 99_000 });
    expect(s.next).toMatchObject({ state: 'succeeded', runningSinceMs: 99_000, exit: { finishedAtMs: 99_500 } });
    expect(s.next.events.slice(-2).map((e) => e.state)).toEqual(['running', 'succeeded']);
    // Never started (no start time), or refused: no running.
    expect(onAgentStatus(r, agentStatus('A1', 'failed'), NOW, half)!.before).toBeUndefined();
    const refused = agentStatus('A1', 'failed', { startedAtMs: 99_000, reason: `${START_REFUSED_PREFIX}no such file` });
    expect(onAgentStatus(r, refused, NOW, half)!.before).toBeUndefined();
    // Already running: the end alone.
    expect(onAgentStatus(workloadRecord(), status, NOW, half)!.before).toBeUndefined();
  });

  it('counts how long an overtaken start ran for its restart backoff', () => {
    const r = workloadRecord({ state: 'starting', runningSinceMs: 0, restarts: 5, restart: { mode: 'on-failure' } });
    const hourLater = 3_600_000 + NOW;
    const status = agentStatus('A1', 'failed', { startedAtMs: NOW, finishedAtMs: hourLater });
    const s = onAgentStatus(r, status, hourLater, half)!;
    // An hour of running starts the row over: the first restart's backoff, not the sixth's.
    expect(s.next).toMatchObject({ state: 'pending', restarts: 1 });
  });

  it('changes nothing for a running report about a running workload', () => {
    expect(onAgentStatus(workloadRecord(), agentStatus('A1', 'running'), NOW, half)).toBeUndefined();
  });

  it('keeps a newly learnt run-as in memory only', () => {
    const s = onAgentStatus(workloadRecord(), agentStatus('A1', 'running', { runAs: 'app (1000:1000)' }), NOW, half)!;
    expect(s.persist).toBe(false);
    expect(s.next.runAs).toBe('app (1000:1000)');
    expect(s.next.state).toBe('running');
  });

  it('ignores any report once the workload is over', () => {
    expect(
      onAgentStatus(workloadRecord({ state: 'succeeded' }), agentStatus('A1', 'failed'), NOW, half),
    ).toBeUndefined();
  });

  it('records the end: exit and outputs, with the reason the agent gave', () => {
    const s = onAgentStatus(
      workloadRecord(),
      agentStatus('A1', 'succeeded', { reason: 'exited with code 0', finishedAtMs: 99_500, outputs: { k: 'v' } }),
      NOW,
      half,
    )!;
    expect(s.next).toMatchObject({ state: 'succeeded', reason: 'exited with code 0 on n1', outputs: { k: 'v' } });
    expect(s.next.exit).toEqual({ exited: true, exitCode: 0, signal: '', finishedAtMs: 99_500 });
  });

  it('counts any end of a workload whose stop was requested as stopped', () => {
    const s = onAgentStatus(workloadRecord({ stopRequested: true }), agentStatus('A1', 'failed'), NOW, half)!;
    expect(s.next.state).toBe('stopped');
  });
});

describe('onAllocationEnd: restart policies', () => {
  it.each<[RestartModeName, WorkloadStateName, WorkloadStateName]>([
    ['never', 'succeeded', 'succeeded'],
    ['never', 'failed', 'failed'],
    ['never', 'lost', 'lost'],
    ['on-failure', 'succeeded', 'succeeded'],
    ['on-failure', 'failed', 'pending'],
    ['on-failure', 'lost', 'pending'],
    ['on-failure', 'stopped', 'stopped'],
    ['always', 'succeeded', 'pending'],
    ['always', 'failed', 'pending'],
    ['always', 'stopped', 'stopped'],
  ])('%s after %s -> %s', (mode, outcome, want) => {
    const s = onAllocationEnd(workloadRecord({ restart: { mode } }), outcome, `${outcome} on n1`, NOW, half);
    expect(s.next.state).toBe(want);
  });

  it('never restarts a workload whose stop was requested', () => {
    const r = workloadRecord({ stopRequested: true, restart: { mode: 'always' } });
    expect(onAllocationEnd(r, 'failed', 'x', NOW, half).next.state).toBe('failed');
  });

  it('backs off exponentially, keeps the ended run and clears the allocation', () => {
    let r = workloadRecord({ restart: { mode: 'always' } });
    const delays: number[] = [];
    for (let i = 0; i < 4; i++) {
      const next = onAllocationEnd(
        { ...r, state: 'running', allocationId: `A${i + 1}` },
        'failed',
        'exit 1',
        NOW,
        half,
      ).next;
      delays.push(next.notBeforeMs - NOW);
      r = next;
    }
    expect(delays).toEqual([1000, 2000, 4000, 8000]);
    expect(r).toMatchObject({
      state: 'pending',
      allocationId: '',
      pid: 0,
      restarts: 4,
      reason: 'restart 4 in 8s after: exit 1',
    });
    expect(r.pastAllocations!.map((p) => p.allocationId)).toEqual(['A1', 'A2', 'A3', 'A4']);
    // Both events: how it ended, then that it waits.
    expect(r.events.slice(-2).map((e) => e.state)).toEqual(['failed', 'pending']);
  });

  it('applies the jitter it is given (±20%)', () => {
    const r = workloadRecord();
    expect(onAllocationEnd(r, 'failed', 'x', NOW, () => 0).next.notBeforeMs - NOW).toBe(800);
    expect(onAllocationEnd(r, 'failed', 'x', NOW, () => 0.999).next.notBeforeMs - NOW).toBe(1200);
  });

  it('gives up after max_attempts restarts in a row', () => {
    const r = workloadRecord({ restarts: 2, restart: { maxAttempts: 2 } });
    const next = onAllocationEnd(r, 'failed', 'exit 1 on n1', NOW, half).next;
    expect(next).toMatchObject({ state: 'failed', reason: 'exit 1 on n1', allocationId: 'A1' });
  });

  it('names the restart out of max_attempts', () => {
    const r = workloadRecord({ restarts: 1, restart: { maxAttempts: 3 } });
    expect(onAllocationEnd(r, 'failed', 'exit 1', NOW, half).next.reason).toBe('restart 2 of 3 in 2s after: exit 1');
  });

  it('starts the row over after a stable run', () => {
    const r = workloadRecord({ restarts: 5, runningSinceMs: NOW - 11 * 60_000, restart: { maxAttempts: 3 } });
    const next = onAllocationEnd(r, 'failed', 'exit 1', NOW, half).next;
    expect(next).toMatchObject({ state: 'pending', restarts: 1, notBeforeMs: NOW + 1000 });
  });

  it('replaces a lost allocation at once', () => {
    const next = onAllocationEnd(workloadRecord(), 'lost', 'node n1 down', NOW, half).next;
    expect(next).toMatchObject({ state: 'pending', notBeforeMs: NOW, reason: 'restart 1 now after: node n1 down' });
  });
});

describe('starts that fail', () => {
  const starting = () => workloadRecord({ state: 'starting', pid: 0, runningSinceMs: 0 });
  const failure = (code: number | undefined) => ({ code, message: 'boom', nodeName: 'n1' });

  it('retries a start that never reached the workload, without using a restart', () => {
    const next = onStartRetry(starting(), 'start on n1 failed: boom', NOW).next;
    expect(next).toMatchObject({ state: 'pending', allocationId: '', restarts: 0, notBeforeMs: NOW + START_RETRY_MS });
    expect(next.reason).toBe('waiting to be placed again: start on n1 failed: boom');
    expect(next.events.slice(-2).map((e) => e.state)).toEqual(['starting', 'pending']);
  });

  it('ignores the failure of a start superseded meanwhile', () => {
    expect(onStartFailed(starting(), 'A0', failure(grpc.status.UNAVAILABLE), NOW, half)).toEqual({ kind: 'ignore' });
    expect(
      onStartFailed(workloadRecord({ state: 'stopped' }), 'A1', failure(grpc.status.UNAVAILABLE), NOW, half),
    ).toEqual({ kind: 'ignore' });
  });

  it('asks the node when it already has the allocation', () => {
    expect(onStartFailed(starting(), 'A1', failure(grpc.status.ALREADY_EXISTS), NOW, half)).toEqual({ kind: 'ask' });
  });

  it("ends the allocation failed when the node refuses the workload, sparing the node's breaker", () => {
    const v = onStartFailed(starting(), 'A1', failure(grpc.status.INVALID_ARGUMENT), NOW, half);
    expect(v).toMatchObject({ kind: 'step', nodeFault: false });
    const next = (v as { step: { next: { state: string; events: Array<{ reason: string }> } } }).step.next;
    expect(next.state).toBe('pending'); // on-failure: restarted, with backoff
    expect(next.events.at(-2)!.reason).toBe('node n1 could not start it: boom');
  });

  it('blames the node and retries elsewhere when the start never left (no connection)', () => {
    const noConnection = { ...failure(grpc.status.UNAVAILABLE), message: 'No connection established' };
    const v = onStartFailed(starting(), 'A1', noConnection, NOW, half);
    expect(v).toMatchObject({ kind: 'step', nodeFault: true, step: { next: { state: 'pending', restarts: 0 } } });
  });

  it.each([grpc.status.DEADLINE_EXCEEDED, grpc.status.UNAVAILABLE, grpc.status.INTERNAL, undefined])(
    'asks the node before placing again when code %s leaves it open whether the start landed',
    (code) => {
      expect(onStartFailed(starting(), 'A1', failure(code), NOW, half)).toEqual({
        kind: 'confirm',
        reason: 'start on n1 failed: boom',
      });
    },
  );

  it('places again, without a restart, a start the node confirms it never got; ignores a superseded one', () => {
    expect(onStartUnconfirmed(starting(), 'A1', 'start on n1 failed: boom', NOW)!.next).toMatchObject({
      state: 'pending',
      allocationId: '',
      restarts: 0,
    });
    expect(onStartUnconfirmed(starting(), 'A0', 'start on n1 failed: boom', NOW)).toBeUndefined();
    expect(onStartUnconfirmed(workloadRecord({ state: 'running' }), 'A1', 'x', NOW)).toBeUndefined();
  });
});

describe('stops', () => {
  it('does nothing for a workload that is over', () => {
    expect(onStopRequest(workloadRecord({ state: 'failed' }), NOW)).toEqual({ kind: 'done' });
  });

  it('stops a pending workload at once', () => {
    const v = onStopRequest(workloadRecord({ state: 'pending', allocationId: '' }), NOW);
    expect(v).toMatchObject({
      kind: 'stopped',
      step: { next: { state: 'stopped', stopRequested: true, reason: 'stopped before it was placed' } },
    });
  });

  it('marks a placed workload and leaves the stop to its node', () => {
    const v = onStopRequest(workloadRecord(), NOW);
    expect(v).toMatchObject({
      kind: 'ask-node',
      step: { persist: true, next: { state: 'running', stopRequested: true } },
    });
  });

  it('counts a stop its node cannot take as done, without a restart', () => {
    const r = { ...workloadRecord({ restart: { mode: 'always' } }), stopRequested: true };
    expect(onStopUnreachable(r, 'node-down', NOW, half).next).toMatchObject({
      state: 'stopped',
      reason: 'stopped by request; node n1 is down, its copy is stopped if it returns',
    });
    expect(onStopUnreachable(r, 'not-found', NOW, half).next.reason).toBe(
      'stopped by request; node n1 no longer knew it',
    );
  });
});
