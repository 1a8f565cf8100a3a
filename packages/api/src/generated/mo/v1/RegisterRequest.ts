// Original file: proto/mo/v1/registry.proto

import type { NodeFacts as _mo_v1_NodeFacts, NodeFacts__Output as _mo_v1_NodeFacts__Output } from '../../mo/v1/NodeFacts.js';
import type { Resources as _mo_v1_Resources, Resources__Output as _mo_v1_Resources__Output } from '../../mo/v1/Resources.js';
import type { NodeMetrics as _mo_v1_NodeMetrics, NodeMetrics__Output as _mo_v1_NodeMetrics__Output } from '../../mo/v1/NodeMetrics.js';
import type { WorkloadStatus as _mo_v1_WorkloadStatus, WorkloadStatus__Output as _mo_v1_WorkloadStatus__Output } from '../../mo/v1/WorkloadStatus.js';

export interface RegisterRequest {
  /**
   * Stable node id, generated once by the agent and kept in its data dir.
   */
  'nodeId'?: (string);
  'nodeName'?: (string);
  /**
   * host:port of the agent's NodeAgent service, as the scheduler should dial it.
   */
  'address'?: (string);
  'facts'?: (_mo_v1_NodeFacts | null);
  /**
   * Keys and values as a workload's labels: at most 64, keys ≤ 63 chars, values ≤ 256 bytes.
   */
  'labels'?: ({[key: string]: string});
  /**
   * What placement may reserve on this node (defaults: all cores, total memory, the docker port
   * range's size in host_ports).
   */
  'capacity'?: (_mo_v1_Resources | null);
  'metrics'?: (_mo_v1_NodeMetrics | null);
  /**
   * Every workload the agent knows (running or ended but not yet collected): the scheduler
   * reconciles them against its own view. The first page only (at most 1,000 entries, ~2 MiB)
   * when `inventory_follows`; the rest comes by SyncInventory.
   */
  'inventory'?: (_mo_v1_WorkloadStatus)[];
  /**
   * More inventory pages follow (SyncInventory with the response's registration_id). Until the
   * last one arrived the heartbeat stream is refused (FAILED_PRECONDITION).
   */
  'inventoryFollows'?: (boolean);
  /**
   * This agent takes up the busy timing (RegisterResponse.busy_heartbeat_interval_ms) by itself
   * when it starts a workload, and keeps it with its last contact across restarts: the scheduler
   * may then shrink the node's deadline to the busy down-after when a start is answered.
   */
  'takesBusyTiming'?: (boolean);
}

export interface RegisterRequest__Output {
  /**
   * Stable node id, generated once by the agent and kept in its data dir.
   */
  'nodeId': (string);
  'nodeName': (string);
  /**
   * host:port of the agent's NodeAgent service, as the scheduler should dial it.
   */
  'address': (string);
  'facts': (_mo_v1_NodeFacts__Output | null);
  /**
   * Keys and values as a workload's labels: at most 64, keys ≤ 63 chars, values ≤ 256 bytes.
   */
  'labels': ({[key: string]: string});
  /**
   * What placement may reserve on this node (defaults: all cores, total memory, the docker port
   * range's size in host_ports).
   */
  'capacity': (_mo_v1_Resources__Output | null);
  'metrics': (_mo_v1_NodeMetrics__Output | null);
  /**
   * Every workload the agent knows (running or ended but not yet collected): the scheduler
   * reconciles them against its own view. The first page only (at most 1,000 entries, ~2 MiB)
   * when `inventory_follows`; the rest comes by SyncInventory.
   */
  'inventory': (_mo_v1_WorkloadStatus__Output)[];
  /**
   * More inventory pages follow (SyncInventory with the response's registration_id). Until the
   * last one arrived the heartbeat stream is refused (FAILED_PRECONDITION).
   */
  'inventoryFollows': (boolean);
  /**
   * This agent takes up the busy timing (RegisterResponse.busy_heartbeat_interval_ms) by itself
   * when it starts a workload, and keeps it with its last contact across restarts: the scheduler
   * may then shrink the node's deadline to the busy down-after when a start is answered.
   */
  'takesBusyTiming': (boolean);
}
