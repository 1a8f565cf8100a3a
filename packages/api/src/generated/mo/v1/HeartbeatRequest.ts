// Original file: proto/mo/v1/registry.proto

import type { NodeMetrics as _mo_v1_NodeMetrics, NodeMetrics__Output as _mo_v1_NodeMetrics__Output } from '../../mo/v1/NodeMetrics.js';
import type { WorkloadStatus as _mo_v1_WorkloadStatus, WorkloadStatus__Output as _mo_v1_WorkloadStatus__Output } from '../../mo/v1/WorkloadStatus.js';

export interface HeartbeatRequest {
  /**
   * Required on the first message of a stream; ignored afterwards.
   */
  'nodeId'?: (string);
  'metrics'?: (_mo_v1_NodeMetrics | null);
  /**
   * Workload state changes since the previous message, in order: at most 1,000 (INVALID_ARGUMENT
   * `changes` past it; the agent sends a larger burst in several messages).
   */
  'changes'?: (_mo_v1_WorkloadStatus)[];
}

export interface HeartbeatRequest__Output {
  /**
   * Required on the first message of a stream; ignored afterwards.
   */
  'nodeId': (string);
  'metrics': (_mo_v1_NodeMetrics__Output | null);
  /**
   * Workload state changes since the previous message, in order: at most 1,000 (INVALID_ARGUMENT
   * `changes` past it; the agent sends a larger burst in several messages).
   */
  'changes': (_mo_v1_WorkloadStatus__Output)[];
}
