// What a node's report of its allocations means, one allocation at a time, as Nomad's reconciler
// sorts allocations into buckets: fold it into the workload, fence it (the node must stop a copy
// unknown to us, replaced, or of a workload that is over), or ignore it; and, once a registering
// node's whole inventory is in, what we believed there but it did not name: start it (never
// confirmed running) or ask the node (running: the inventory may predate its start). Pure: the
// manager looks the workload up, asks here, and applies (book.ts). Which copy wins when a given-up
// allocation returns is disconnect.ts's.
import type { WorkloadStatus__Output } from '@mo/api';
import { lateEndStep, onReport, reinstateStep, type ReconnectKeep } from './disconnect.js';
import { agentState, moveTo, onAgentStatus, onAllocationEnd, step, type Random, type Step } from './lifecycle.js';
import type { WorkloadRecord } from './record.js';

/** A reported allocation: `stop` tells the node to stop it (fencing); `step` changes its workload. */
export interface ReportOutcome {
  stop: boolean;
  step?: Step;
}

/**
 * One status reported by node `node` (Register's inventory, a page of it, or a heartbeat change).
 * `r`: the workload the allocation belongs to, by current allocation or by the workload label the
 * scheduler puts on every start; undefined when neither names one of ours.
 */
export function onAllocationReport(
  r: WorkloadRecord | undefined,
  node: { id: string; name: string },
  status: WorkloadStatus__Output,
  keep: ReconnectKeep,
  nowMs: number,
  random: Random,
): ReportOutcome {
  const state = agentState(status.state);
  if (!state) return { stop: false };
  const verdict = onReport(r, { allocationId: status.spec?.id ?? '', nodeId: node.id, state }, keep);
  switch (verdict.kind) {
    case 'ignore':
      return { stop: false };
    case 'stop':
      return { stop: true };
    case 'apply': {
      const s = onAgentStatus(r!, status, nowMs, random);
      return s ? { stop: false, step: s } : { stop: false };
    }
    case 'reinstate':
      return { stop: false, step: reinstateStep(r!, node.name, status, nowMs) };
    case 'late-end':
      return { stop: false, step: lateEndStep(r!, status, verdict.takeOver, nowMs) };
  }
}

/**
 * A workload we hold on `node` that its complete inventory did not name (`seen` has what it did).
 * Undefined when it was named, or is no longer placed in a way that needs a look.
 */
export function onMissingFromInventory(
  r: WorkloadRecord,
  node: { name: string },
  seen: ReadonlySet<string>,
  nowMs: number,
): Step | undefined {
  if (seen.has(r.allocationId)) return undefined;
  // Never confirmed running (it was starting, maybe when its node went quiet): start it now; the
  // node answers ALREADY_EXISTS if the start did arrive.
  if (r.state === 'starting') return step(r, [{ kind: 'start' }], false);
  if (r.state === 'unknown' && r.pid === 0) {
    return step(moveTo(r, 'starting', `node ${node.name} is back; starting it there`, nowMs), [{ kind: 'start' }]);
  }
  // The inventory is a snapshot taken before the Register was sent: a start that completed after
  // it is legitimately missing. Ask the node before calling it lost.
  if (r.state === 'running' || r.state === 'unknown') return step(r, [{ kind: 'verify' }], false);
  return undefined;
}

/** The node, asked, does not have r's allocation `allocationId` (NOT_FOUND): it is lost. */
export function onMissingConfirmed(
  r: WorkloadRecord,
  allocationId: string,
  node: { name: string },
  nowMs: number,
  random: Random,
): Step | undefined {
  if (r.allocationId !== allocationId || (r.state !== 'running' && r.state !== 'unknown')) return undefined;
  return onAllocationEnd(r, 'lost', `missing from node ${node.name}'s inventory when it registered`, nowMs, random);
}
