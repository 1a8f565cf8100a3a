// Original file: proto/mo/v1/scheduler.proto

import type { Node as _mo_v1_Node, Node__Output as _mo_v1_Node__Output } from '../../mo/v1/Node.js';
import type { ScheduledWorkload as _mo_v1_ScheduledWorkload, ScheduledWorkload__Output as _mo_v1_ScheduledWorkload__Output } from '../../mo/v1/ScheduledWorkload.js';
import type { Long } from '@grpc/proto-loader';

export interface ClusterStatus {
  'nodes'?: (_mo_v1_Node)[];
  /**
   * Workload counts by state name ("running" -> 3).
   */
  'workloadCounts'?: ({[key: string]: number});
  'recent'?: (_mo_v1_ScheduledWorkload)[];
  'queueDepth'?: (number);
  'schedulerVersion'?: (string);
  'startedAtMs'?: (number | string | Long);
}

export interface ClusterStatus__Output {
  'nodes': (_mo_v1_Node__Output)[];
  /**
   * Workload counts by state name ("running" -> 3).
   */
  'workloadCounts': ({[key: string]: number});
  'recent': (_mo_v1_ScheduledWorkload__Output)[];
  'queueDepth': (number);
  'schedulerVersion': (string);
  'startedAtMs': (number);
}
