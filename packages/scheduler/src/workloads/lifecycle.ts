// What an event means for one workload: pure functions of (record, event, now) → Step, the record
// as it becomes and what must be done outside it. Here: an agent's status of the current
// allocation, the end of an allocation (its restart policy and backoff, restart.ts), a placement,
// a start that failed or must be retried, a stop request. Node loss and return are disconnect.ts's,
// inventories reconcile.ts's. No I/O, no timers, no clock: the manager reads the time, asks here,
// and applies the Step (book.ts), keeping its indexes from the change of state.
import { START_REFUSED_PREFIX, formatDuration, type WorkloadStatus__Output } from '@mo/api';
import { withHealth, withoutHealth } from './health.js';
import { decideRestart } from './restart.js';
import { startErrorKind } from './start-errors.js';
import {
  MAX_EVENTS,
  PLACED_STATES,
  TERMINAL_STATES,
  withPastAllocation,
  type WorkloadRecord,
  type WorkloadStateName,
} from './record.js';

/** Something to do outside the record, for its current allocation unless it names another. */
export type Effect =
  /** Stop this (other) copy on its node, if the node is up; its end comes back as an old report. */
  | { kind: 'stop-copy'; nodeId: string; allocationId: string; graceMs: number }
  /** Send the current allocation's start to its node (again: the node answers ALREADY_EXISTS if it has it). */
  | { kind: 'start' }
  /** Ask the node for the current allocation: missing there (NOT_FOUND) means lost (reconcile.ts). */
  | { kind: 'verify' };

export interface Step {
  /** The record after the event: a new object (the input is never changed), or the input itself. */
  next: WorkloadRecord;
  effects: readonly Effect[];
  /** False: kept in memory only (no write, no watch event), as a detail learnt in passing. */
  persist: boolean;
  /** A step applied first, with its own write and event (`running`, for an end that came first). */
  before?: Step;
}

/** `random` returns [0, 1): the restart backoff's jitter. Passed in so a test can pin it. */
export type Random = () => number;

/** Backoff before re-placing after a failed start RPC (not a workload failure). */
export const START_RETRY_MS = 500;

/** Agent state names (the proto enum) -> ours. */
const AGENT_STATES: Record<string, WorkloadStateName | undefined> = {
  WORKLOAD_STATE_PENDING: 'pending',
  WORKLOAD_STATE_STARTING: 'starting',
  WORKLOAD_STATE_RUNNING: 'running',
  WORKLOAD_STATE_SUCCEEDED: 'succeeded',
  WORKLOAD_STATE_FAILED: 'failed',
  WORKLOAD_STATE_STOPPED: 'stopped',
  WORKLOAD_STATE_LOST: 'lost',
};

export function agentState(name: string): WorkloadStateName | undefined {
  return AGENT_STATES[name];
}

export const step = (next: WorkloadRecord, effects: readonly Effect[] = [], persist = true): Step => ({
  next,
  effects,
  persist,
});

/** r with an event appended (the oldest dropped past MAX_EVENTS). */
export function withEvent(r: WorkloadRecord, state: WorkloadStateName, reason: string, nowMs: number): WorkloadRecord {
  const events = [...r.events, { state, reason, atMs: nowMs }];
  return { ...r, updatedAtMs: nowMs, events: events.length > MAX_EVENTS ? events.slice(-MAX_EVENTS) : events };
}

/**
 * r in `state` for `reason`, with its event. Leaving `unknown` forgets when it became so;
 * published ports are kept only while the allocation may run.
 */
export function moveTo(r: WorkloadRecord, state: WorkloadStateName, reason: string, nowMs: number): WorkloadRecord {
  const next = withEvent({ ...r, state, reason }, state, reason, nowMs);
  if (r.state === 'unknown' && state !== 'unknown') {
    delete next.unknownSinceMs;
    delete next.lostAtMs;
  }
  if (state !== 'running' && state !== 'unknown') {
    delete next.ports;
    withoutHealth(next);
  }
  return next;
}

/** A pending r placed on `node` under a fresh allocation id: starting, with nothing of its last run. */
export function onPlaced(
  r: WorkloadRecord,
  node: { id: string; name: string },
  allocationId: string,
  nowMs: number,
): WorkloadRecord {
  const next: WorkloadRecord = {
    ...r,
    allocationId,
    nodeId: node.id,
    nodeName: node.name,
    attempt: r.attempt + 1,
    pid: 0,
    notBeforeMs: 0,
  };
  for (const k of ['runAs', 'exit', 'outputs', 'ports'] as const) delete next[k];
  return moveTo(next, 'starting', `placed on ${node.name}`, nowMs);
}

/**
 * The current allocation ended with `outcome`. Either the workload ends too, or its restart policy
 * sends it back to pending, not before its backoff; the ended run is kept as a past allocation.
 */
export function onAllocationEnd(
  r: WorkloadRecord,
  outcome: WorkloadStateName,
  reason: string,
  nowMs: number,
  random: Random,
): Step {
  const ranUntil = r.exit?.finishedAtMs || nowMs;
  const decision = decideRestart(
    {
      policy: r.scheduling.restart,
      outcome,
      stopRequested: r.stopRequested,
      restarts: r.restarts,
      ranForMs: r.runningSinceMs ? Math.max(0, ranUntil - r.runningSinceMs) : 0,
    },
    random,
  );
  if (!decision.restart) return step(moveTo(r, outcome, reason, nowMs));
  const max = r.scheduling.restart.maxAttempts;
  const next = withEvent(r, outcome, reason, nowMs);
  next.restarts = decision.restarts;
  // Kept so `mo logs --previous` finds it (its node holds the logs for a while).
  next.pastAllocations = withPastAllocation(r.pastAllocations, {
    allocationId: r.allocationId,
    nodeId: r.nodeId,
    nodeName: r.nodeName,
    attempt: r.attempt,
    state: outcome,
    endedAtMs: ranUntil,
  });
  next.allocationId = '';
  next.pid = 0;
  delete next.runAs;
  next.runningSinceMs = 0;
  next.notBeforeMs = nowMs + decision.delayMs;
  const nth = max > 0 ? `${decision.n} of ${max}` : `${decision.n}`;
  const when = decision.delayMs > 0 ? `in ${formatDuration(decision.delayMs)}` : 'now';
  return step(moveTo(next, 'pending', `restart ${nth} ${when} after: ${reason}`, nowMs));
}

function startRefusedReason(nodeName: string, message: string): string {
  return `node ${nodeName} could not start it: ${message}`;
}

/**
 * An agent's status of r's current allocation: running (from starting, or back from unknown), or
 * its end (then the restart policy decides). Undefined when it changes nothing.
 */
export function onAgentStatus(
  r: WorkloadRecord,
  status: WorkloadStatus__Output,
  nowMs: number,
  random: Random,
): Step | undefined {
  const state = agentState(status.state);
  if (!state || TERMINAL_STATES.has(r.state)) return undefined;
  // Who its node runs it as (spec.user resolved there, or the node's default user).
  let next = status.runAs ? { ...r, runAs: status.runAs } : r;
  // Its checks, while it runs: a change of health is persisted (a job's rollout waits on it).
  let healthMoved = false;
  if (state === 'running') ({ next, changed: healthMoved } = withHealth(next, status, nowMs));
  if (state === 'running' && (r.state === 'starting' || r.state === 'unknown'))
    return runningStep(r, next, status, nowMs);
  if (!TERMINAL_STATES.has(state)) return next === r ? undefined : step(next, [], healthMoved);
  // A start the agent refused is told twice, by the call's error and by its status report, in
  // either order: both read the same (onStartFailed's words).
  const refused = state === 'failed' && r.state === 'starting' && status.reason.startsWith(START_REFUSED_PREFIX);
  const reason = refused
    ? startRefusedReason(r.nodeName, status.reason.slice(START_REFUSED_PREFIX.length))
    : `${status.reason || state} on ${r.nodeName}`;
  // It ran, but its end came first: the end rides the agent's heartbeat stream, the start's answer
  // another connection. It was running before it ended (its own event, with its pid; how long it
  // ran counts for the restart policy).
  const before =
    r.state === 'starting' && !refused && status.startedAtMs > 0 ? runningStep(r, next, status, nowMs) : undefined;
  const ended = onAllocationEnd(
    withEnd(before?.next ?? next, status),
    r.stopRequested ? 'stopped' : state,
    reason,
    nowMs,
    random,
  );
  return before ? { ...ended, before } : ended;
}

/** r (`next`: with what the status taught) running, as its status says, from starting or unknown. */
function runningStep(r: WorkloadRecord, next: WorkloadRecord, status: WorkloadStatus__Output, nowMs: number): Step {
  const back = r.state === 'unknown' ? `node ${r.nodeName} is back: ` : '';
  const running = {
    ...next,
    pid: status.pid,
    runningSinceMs: r.runningSinceMs || status.startedAtMs || nowMs,
    ports: portsOf(status),
  };
  return step(moveTo(running, 'running', `${back}running on ${r.nodeName} (pid ${status.pid})`, nowMs));
}

/** r with what an ended allocation's agent reported: its exit and outputs. */
export function withEnd(r: WorkloadRecord, status: WorkloadStatus__Output): WorkloadRecord {
  const next = { ...r };
  if (Object.keys(status.outputs ?? {}).length > 0) next.outputs = { ...status.outputs };
  if (status.runAs) next.runAs = status.runAs;
  if (status.exit) {
    next.exit = {
      exited: status.exit.exited,
      exitCode: status.exit.exitCode,
      signal: status.exit.signal,
      finishedAtMs: status.exit.finishedAtMs,
    };
  }
  return next;
}

/** A start that never reached the workload (RPC failure): re-placed, without using a restart. */
export function onStartRetry(r: WorkloadRecord, reason: string, nowMs: number): Step {
  const next = withEvent(r, 'starting', reason, nowMs);
  next.allocationId = '';
  next.notBeforeMs = nowMs + START_RETRY_MS;
  return step(moveTo(next, 'pending', `waiting to be placed again: ${reason}`, nowMs));
}

export type StartFailedVerdict =
  /** The allocation was superseded meanwhile (stopped, re-placed): nothing to do. */
  | { kind: 'ignore' }
  /** Started before (a re-dispatch after a scheduler restart): ask the node for its state. */
  | { kind: 'ask' }
  /**
   * The start may have landed (timed out, cut mid-call): a node fault, but the node is asked
   * before the workload is placed again (onStartUnconfirmed), or it could run twice.
   */
  | { kind: 'confirm'; reason: string }
  /** `nodeFault`: counts towards the node's circuit breaker. */
  | { kind: 'step'; step: Step; nodeFault: boolean };

/** A StartWorkload of `allocationId` on `nodeName` failed with gRPC `code` (start-errors.ts classifies). */
export function onStartFailed(
  r: WorkloadRecord,
  allocationId: string,
  failure: { code: number | undefined; message: string; nodeName: string },
  nowMs: number,
  random: Random,
): StartFailedVerdict {
  if (r.allocationId !== allocationId || TERMINAL_STATES.has(r.state)) return { kind: 'ignore' };
  const kind = startErrorKind(failure.code, failure.message);
  if (kind === 'already_started') return { kind: 'ask' };
  if (kind === 'refused') {
    // The node refused this workload (no such program there, its port range is full): the
    // workload's failure, not the node's, so it does not count towards the node's breaker.
    const reason = startRefusedReason(failure.nodeName, failure.message);
    return { kind: 'step', step: onAllocationEnd(r, 'failed', reason, nowMs, random), nodeFault: false };
  }
  // The node itself failed (unreachable, internal error): counts towards its breaker.
  const reason = `start on ${failure.nodeName} failed: ${failure.message}`;
  if (kind === 'unconfirmed') return { kind: 'confirm', reason };
  return { kind: 'step', step: onStartRetry(r, reason, nowMs), nodeFault: true };
}

/**
 * The node, asked about a start that failed unconfirmed, does not have `allocationId` (NOT_FOUND):
 * it never landed, and is placed again without using a restart. Undefined when superseded.
 */
export function onStartUnconfirmed(
  r: WorkloadRecord,
  allocationId: string,
  reason: string,
  nowMs: number,
): Step | undefined {
  if (r.allocationId !== allocationId || r.state !== 'starting') return undefined;
  return onStartRetry(r, reason, nowMs);
}

export type StopVerdict =
  /** Already over: nothing to do. */
  | { kind: 'done' }
  /** Never placed: stopped at once. */
  | { kind: 'stopped'; step: Step }
  /** Marked (never restarted from now on); its node is asked to stop the allocation. */
  | { kind: 'ask-node'; step: Step };

/** A stop request. Whatever happens to the workload next, it is not restarted. */
export function onStopRequest(r: WorkloadRecord, nowMs: number): StopVerdict {
  if (TERMINAL_STATES.has(r.state)) return { kind: 'done' };
  const marked = { ...r, stopRequested: true, updatedAtMs: nowMs };
  if (r.state === 'pending')
    return { kind: 'stopped', step: step(moveTo(marked, 'stopped', 'stopped before it was placed', nowMs)) };
  return { kind: 'ask-node', step: step(marked) };
}

/**
 * A stop that cannot reach the allocation: its node is down (its copy is stopped if it returns,
 * fenced by the allocation id) or no longer knows it. Either way the workload is stopped.
 */
export function onStopUnreachable(
  r: WorkloadRecord,
  why: 'node-down' | 'not-found',
  nowMs: number,
  random: Random,
): Step {
  const reason =
    why === 'node-down'
      ? `stopped by request; node ${r.nodeName} is down, its copy is stopped if it returns`
      : `stopped by request; node ${r.nodeName} no longer knew it`;
  return onAllocationEnd(r, 'stopped', reason, nowMs, random);
}

/**
 * A drain moves r off its node (drain/): its allocation is stopped there and it waits to be placed
 * again (elsewhere: the node is ineligible), at once and without counting a restart — a drain is
 * not a failure, whatever the restart policy. Undefined when it is not placed (nothing to move) or
 * a stop was asked for (it is ending anyway).
 */
export function onMigrate(r: WorkloadRecord, reason: string, nowMs: number): Step | undefined {
  if (!r.allocationId || r.stopRequested || (r.state !== 'starting' && r.state !== 'running')) return undefined;
  const next = withEvent(r, 'stopped', `${reason}: stopped on ${r.nodeName}`, nowMs);
  next.pastAllocations = withPastAllocation(r.pastAllocations, {
    allocationId: r.allocationId,
    nodeId: r.nodeId,
    nodeName: r.nodeName,
    attempt: r.attempt,
    state: 'stopped',
    endedAtMs: nowMs,
  });
  next.allocationId = '';
  next.pid = 0;
  delete next.runAs;
  next.runningSinceMs = 0;
  next.notBeforeMs = 0;
  const effects: Effect[] = [
    { kind: 'stop-copy', nodeId: r.nodeId, allocationId: r.allocationId, graceMs: r.spec.gracePeriodMs },
  ];
  return step(moveTo(next, 'pending', `${reason}: to be placed elsewhere`, nowMs), effects);
}

/**
 * The current allocation of r is taken out of play (another copy takes its place): a placed one
 * is stopped on its node. Returns that effect and a note for the reason.
 */
export function dropCurrentAllocation(r: WorkloadRecord): { effects: Effect[]; note: string } {
  if (!r.allocationId || !PLACED_STATES.has(r.state)) return { effects: [], note: '' };
  return {
    effects: [{ kind: 'stop-copy', nodeId: r.nodeId, allocationId: r.allocationId, graceMs: r.spec.gracePeriodMs }],
    note: `; replacement ${r.allocationId} on ${r.nodeName} stopped`,
  };
}

/** The host ports an agent reports for a running allocation. */
export function portsOf(status: Pick<WorkloadStatus__Output, 'ports'>): WorkloadRecord['ports'] {
  return status.ports.map((p) => ({
    ...(p.name ? { name: p.name } : {}),
    containerPort: p.containerPort,
    hostPort: p.hostPort,
    hostIp: p.hostIp,
  }));
}
