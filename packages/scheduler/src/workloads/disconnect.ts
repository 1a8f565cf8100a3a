// Doubt is not death: what the scheduler decides when a node goes quiet and when it speaks again,
// as pure functions of (workload, event, now) so the rules are tested alone (disconnect.test.ts)
// and in the harness (src/testing), and the manager only applies them (book.ts).
//
// The rules (Nomad's `disconnect` block and Kubernetes' eviction grace are the anchors):
// - A node unheard from past --down-after is down; its workloads become `unknown`, not `lost`.
// - An unknown workload is given up (`lost`, then replaced per its restart policy) once its
//   lost_after has passed since it became unknown (0: at once). Its agent, cut off that long,
//   stops it itself (agent: reporter/self-fence.ts), before the scheduler can replace it.
// - When the node reports again: a workload still running there that was not given up goes back to
//   `running`, no restart; one that ended meanwhile is reported with its real exit code.
// - A given-up allocation that still runs when its node returns: one copy is kept by the
//   --reconnect-keep rule; `original` (default) stops the replacement and keeps the original,
//   `replacement` stops the original. Either way the other copy is stopped.
// - A given-up allocation reported ended: its real end stands if the restart policy would not have
//   restarted after it (a succeeded workload never runs again: the replacement is stopped); if the
//   policy would have, the replacement is that restart and stays.
import { formatDuration, type WorkloadStatus__Output } from '@mo/api';
import { policyRestarts } from './restart.js';
import { PLACED_STATES, TERMINAL_STATES, type WorkloadRecord, type WorkloadStateName } from './record.js';
import {
  agentState,
  dropCurrentAllocation,
  moveTo,
  onAllocationEnd,
  portsOf,
  step,
  withEnd,
  withEvent,
  type Random,
  type Step,
} from './lifecycle.js';

export type ReconnectKeep = 'original' | 'replacement';

/** What becomes of a workload on a node that went down. */
export type NodeDownVerdict =
  | { kind: 'stopped' } // a stop was requested: it counts as done; the node stops it if it returns
  | { kind: 'lost' } // lost_after 0, or the node is gone for good
  | { kind: 'unknown'; lostAtMs: number };

export function onNodeDown(
  r: Pick<WorkloadRecord, 'stopRequested' | 'spec'>,
  nowMs: number,
  defaultLostAfterMs: number,
  nodeGone: boolean,
): NodeDownVerdict {
  if (r.stopRequested) return { kind: 'stopped' };
  const lostAfter = r.spec.lostAfterMs ?? defaultLostAfterMs;
  if (nodeGone || lostAfter <= 0) return { kind: 'lost' };
  return { kind: 'unknown', lostAtMs: nowMs + lostAfter };
}

/** One allocation as a node reports it (from Register's inventory or a heartbeat change). */
export interface AllocationReport {
  allocationId: string;
  nodeId: string;
  /** The agent's state, mapped to ours. */
  state: WorkloadStateName;
}

/** What to do with a report. */
export type ReportVerdict =
  /** Nothing (an old copy that ended, or a report about something already settled). */
  | { kind: 'ignore' }
  /** Tell the node to stop this allocation (fencing). */
  | { kind: 'stop'; why: string }
  /** The current allocation: fold the report into the workload (running, or its end). */
  | { kind: 'apply' }
  /** The given-up original still runs and is kept: stop the replacement, the original is current. */
  | { kind: 'reinstate' }
  /**
   * The given-up original ended while out of sight. `takeOver`: its end is the workload's end
   * (the replacement, if any, is stopped); otherwise the replacement stands and the end is noted.
   */
  | { kind: 'late-end'; takeOver: boolean };

/** `r` is the workload the report's allocation belongs to (by current allocation or by label). */
export function onReport(
  r: Pick<WorkloadRecord, 'state' | 'allocationId' | 'nodeId' | 'stopRequested' | 'givenUp' | 'scheduling'> | undefined,
  report: AllocationReport,
  keep: ReconnectKeep,
): ReportVerdict {
  const ended = TERMINAL_STATES.has(report.state);
  if (!r) return ended ? { kind: 'ignore' } : { kind: 'stop', why: 'unknown to the scheduler' };
  const current = report.allocationId === r.allocationId && report.nodeId === r.nodeId;
  const givenUp = r.givenUp?.allocationId === report.allocationId && r.givenUp.nodeId === report.nodeId;
  const done = TERMINAL_STATES.has(r.state);

  if (current && !done) {
    if (r.stopRequested && !ended) return { kind: 'stop', why: 'stop requested' };
    return { kind: 'apply' };
  }
  if (!givenUp) {
    // An old copy (replaced, fenced before) or the copy of a workload that ended meanwhile.
    if (ended) return { kind: 'ignore' };
    return { kind: 'stop', why: done ? `the workload is ${r.state}` : 'replaced by a newer allocation' };
  }
  // The allocation given up by lost_after.
  if (ended) {
    if (current) return { kind: 'late-end', takeOver: true }; // lost, not replaced: its real end
    if (done) return { kind: 'ignore' };
    return { kind: 'late-end', takeOver: !policyRestarts(r.scheduling.restart, report.state, r.stopRequested) };
  }
  if (done || r.stopRequested) return { kind: 'stop', why: done ? `the workload is ${r.state}` : 'stop requested' };
  if (current || keep === 'replacement') return { kind: 'stop', why: 'given up after lost_after and replaced' };
  return { kind: 'reinstate' };
}

/** The node of a placed workload went down (`gone`: for good). Undefined when nothing changes. */
export function nodeDownStep(
  r: WorkloadRecord,
  node: { name: string; reason: string },
  gone: boolean,
  nowMs: number,
  defaultLostAfterMs: number,
  random: Random,
): Step | undefined {
  if (!PLACED_STATES.has(r.state)) return undefined;
  const verdict = onNodeDown(r, nowMs, defaultLostAfterMs, gone);
  if (verdict.kind === 'stopped') {
    return onAllocationEnd(r, 'stopped', `stopped by request; node ${node.name} went down`, nowMs, random);
  }
  if (verdict.kind === 'lost')
    return onAllocationEnd(r, 'lost', `node ${node.name} down (${node.reason})`, nowMs, random);
  if (r.state === 'unknown') return undefined;
  const lostAfter = verdict.lostAtMs - nowMs;
  const unknown = { ...r, unknownSinceMs: nowMs, lostAtMs: verdict.lostAtMs };
  const reason = `node ${node.name} down (${node.reason}); given up in ${formatDuration(lostAfter)} unless it returns`;
  return step(moveTo(unknown, 'unknown', reason, nowMs));
}

/**
 * An unknown workload whose lost_after has passed is given up: lost (then its restart policy
 * applies), the allocation remembered as given up so a late report can settle which copy stays.
 * Undefined while it is not yet due (or no longer unknown).
 */
export function lostAfterStep(r: WorkloadRecord, nowMs: number, random: Random): Step | undefined {
  if (r.state !== 'unknown') return undefined;
  const lostAtMs = r.lostAtMs ?? 0;
  if (lostAtMs > nowMs) return undefined;
  const since = r.unknownSinceMs ?? lostAtMs;
  const givenUp = { allocationId: r.allocationId, nodeId: r.nodeId, nodeName: r.nodeName, atMs: nowMs };
  const reason = `node ${r.nodeName} not heard from for ${formatDuration(nowMs - since)} (lost_after ${formatDuration(lostAtMs - since)})`;
  return onAllocationEnd({ ...r, givenUp }, 'lost', reason, nowMs, random);
}

/** When the first of the unknown workloads is due to be given up (Infinity: none). */
export function nextLostAtMs(
  unknown: Iterable<string>,
  records: ReadonlyMap<string, Pick<WorkloadRecord, 'lostAtMs'>>,
): number {
  let next = Infinity;
  for (const id of unknown) next = Math.min(next, records.get(id)?.lostAtMs ?? 0);
  return next;
}

/**
 * `reinstate`: the given-up original still runs and the rule keeps it. The replacement (if placed)
 * is stopped; the original is the current allocation again, running, and its restart is undone.
 * `nodeName`: the reporting node's current name.
 */
export function reinstateStep(
  r: WorkloadRecord,
  nodeName: string,
  status: WorkloadStatus__Output,
  nowMs: number,
): Step {
  const original = r.givenUp!;
  const { effects, note } = dropCurrentAllocation(r);
  const next: WorkloadRecord = {
    ...r,
    allocationId: original.allocationId,
    nodeId: original.nodeId,
    nodeName: original.nodeName,
    pid: status.pid,
    runningSinceMs: status.startedAtMs || original.atMs,
    ports: portsOf(status),
    restarts: Math.max(0, r.restarts - 1),
  };
  delete next.givenUp;
  if (status.runAs) next.runAs = status.runAs;
  const reason = `node ${nodeName} returned with the original still running: kept${note}`;
  return step(moveTo(next, 'running', reason, nowMs), effects);
}

/**
 * `late-end`: the given-up original ended while out of sight. With takeOver its real end is the
 * workload's (the replacement, if any, is stopped, its restart undone); otherwise the replacement
 * stays and the end is only noted.
 */
export function lateEndStep(r: WorkloadRecord, status: WorkloadStatus__Output, takeOver: boolean, nowMs: number): Step {
  const original = r.givenUp!;
  const state = agentState(status.state)!;
  const how = `${status.reason || state} on ${original.nodeName}, reported after it was given up`;
  const settled = { ...r };
  delete settled.givenUp;
  if (!takeOver) return step(withEvent(settled, r.state, `the original ${how}; its replacement stays`, nowMs));
  const { effects, note } = dropCurrentAllocation(r);
  const next = withEnd(
    {
      ...settled,
      allocationId: original.allocationId,
      nodeId: original.nodeId,
      nodeName: original.nodeName,
      restarts: Math.max(0, r.restarts - 1),
    },
    status,
  );
  return step(moveTo(next, r.stopRequested ? 'stopped' : state, `${how}${note}`, nowMs), effects);
}
