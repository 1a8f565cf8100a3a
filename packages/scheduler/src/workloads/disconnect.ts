// Doubt is not death: what the scheduler decides when a node goes quiet and when it speaks again,
// as pure functions of (workload, event, now) so the rules are tested in a harness
// (disconnect.test.ts) and workloads/manager.ts only applies them.
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
import { policyRestarts } from './restart.js';
import { TERMINAL_STATES, type WorkloadRecord, type WorkloadStateName } from './record.js';

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
