// What the registry keeps per node: the persisted record (kind 'node'), the entry it lives as in
// memory, and the two views taken of an entry (the record to save, the node placement sees).
import type { NodeFacts__Output, NodeMetrics__Output } from '@mo/api';
import type { PlacementNode, ResourceAmounts } from '../placement/types.js';

export type NodeStateName = 'up' | 'down';

/**
 * A node's drain (DrainNode, drain/), on its record so that a restarted scheduler (or a new
 * leader) goes on with it. While it drains, and after, the node is ineligible.
 */
export interface NodeDrainRecord {
  startedAtMs: number;
  /** Wall-clock ms: what is still there then is stopped (and placed elsewhere). */
  deadlineMs: number;
  force: boolean;
  /** When nothing of it was left (0 while draining). */
  drainedAtMs: number;
}

/** What a drain still has on its node (memory only: counted from the workloads). */
export interface DrainLeft {
  services: number;
  batch: number;
  workloads: number;
}

/** What is persisted per node (kind 'node'). */
export interface NodeRecord {
  id: string;
  name: string;
  address: string;
  labels: Record<string, string>;
  facts: NodeFacts__Output | null;
  capacity: ResourceAmounts;
  registeredAtMs: number;
  state: NodeStateName;
  reason: string;
  eligible: boolean;
  /** Wall-clock ms it went down (absent while up; on records from before it was kept: the load time). */
  downSinceMs?: number;
  /** Its drain, draining or drained (absent: none). */
  drain?: NodeDrainRecord;
}

/** A node's record plus what only lives in memory. */
export interface NodeEntry extends NodeRecord {
  metrics: NodeMetrics__Output | null;
  lastHeartbeatMs: number;
  deadlineMs: number;
  /** The per-node circuit breaker. */
  startFailures: number;
  avoidUntilMs: number;
  /** True while a heartbeat stream from this node is open. */
  streaming: boolean;
  /**
   * Its agent said at Register that it takes up the busy timing by itself when it starts work
   * (startAnswered). Memory only: a restored node is not trusted with it until it registers.
   */
  takesBusyTiming?: boolean;
  /** While it drains: what is left on it (drain/manager.ts counts it). */
  drainLeft?: DrainLeft;
}
export function toNodeRecord(n: NodeEntry): NodeRecord {
  return {
    id: n.id,
    name: n.name,
    address: n.address,
    labels: n.labels,
    facts: n.facts,
    capacity: n.capacity,
    registeredAtMs: n.registeredAtMs,
    state: n.state,
    reason: n.reason,
    eligible: n.eligible,
    ...(n.downSinceMs !== undefined && n.state === 'down' ? { downSinceMs: n.downSinceMs } : {}),
    ...(n.drain ? { drain: { ...n.drain } } : {}),
  };
}

export function toPlacementNode(n: NodeEntry): PlacementNode {
  const m = n.metrics;
  return {
    id: n.id,
    name: n.name,
    up: n.state === 'up',
    // A draining node takes no new work, whatever its flag says.
    eligible: n.eligible && (!n.drain || n.drain.drainedAtMs > 0),
    drivers: n.facts?.drivers ?? ['process'],
    labels: n.labels,
    capacity: n.capacity,
    measured: measuredOf(m),
    avoidUntilMs: n.avoidUntilMs,
  };
}

export function measuredOf(m: NodeMetrics__Output | null): PlacementNode['measured'] {
  return {
    cpuUtilization: m?.cpuUtilization ?? 0,
    memoryUsedBytes: m ? Math.max(0, m.memoryTotalBytes - m.memoryAvailableBytes) : 0,
  };
}
