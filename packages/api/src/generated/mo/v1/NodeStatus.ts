// Original file: proto/mo/v1/agent.proto

import type { NodeFacts as _mo_v1_NodeFacts, NodeFacts__Output as _mo_v1_NodeFacts__Output } from '../../mo/v1/NodeFacts.js';
import type { NodeMetrics as _mo_v1_NodeMetrics, NodeMetrics__Output as _mo_v1_NodeMetrics__Output } from '../../mo/v1/NodeMetrics.js';
import type { WorkloadStatus as _mo_v1_WorkloadStatus, WorkloadStatus__Output as _mo_v1_WorkloadStatus__Output } from '../../mo/v1/WorkloadStatus.js';

export interface NodeStatus {
  'facts'?: (_mo_v1_NodeFacts | null);
  'metrics'?: (_mo_v1_NodeMetrics | null);
  'workloads'?: (_mo_v1_WorkloadStatus)[];
  /**
   * Empty on the last page.
   */
  'nextPageToken'?: (string);
}

export interface NodeStatus__Output {
  'facts': (_mo_v1_NodeFacts__Output | null);
  'metrics': (_mo_v1_NodeMetrics__Output | null);
  'workloads': (_mo_v1_WorkloadStatus__Output)[];
  /**
   * Empty on the last page.
   */
  'nextPageToken': (string);
}
