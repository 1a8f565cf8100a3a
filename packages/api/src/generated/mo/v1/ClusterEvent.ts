// Original file: proto/mo/v1/scheduler.proto

import type { ScheduledWorkload as _mo_v1_ScheduledWorkload, ScheduledWorkload__Output as _mo_v1_ScheduledWorkload__Output } from '../../mo/v1/ScheduledWorkload.js';
import type { Node as _mo_v1_Node, Node__Output as _mo_v1_Node__Output } from '../../mo/v1/Node.js';
import type { Long } from '@grpc/proto-loader';

export interface ClusterEvent {
  /**
   * Monotonic within one scheduler process.
   */
  'seq'?: (number | string | Long);
  'atMs'?: (number | string | Long);
  'workload'?: (_mo_v1_ScheduledWorkload | null);
  'node'?: (_mo_v1_Node | null);
  'event'?: "workload"|"node";
}

export interface ClusterEvent__Output {
  /**
   * Monotonic within one scheduler process.
   */
  'seq': (number);
  'atMs': (number);
  'workload'?: (_mo_v1_ScheduledWorkload__Output | null);
  'node'?: (_mo_v1_Node__Output | null);
  'event'?: "workload"|"node";
}
