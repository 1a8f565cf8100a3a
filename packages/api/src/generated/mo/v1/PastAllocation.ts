// Original file: proto/mo/v1/scheduler.proto

import type { WorkloadState as _mo_v1_WorkloadState, WorkloadState__Output as _mo_v1_WorkloadState__Output } from '../../mo/v1/WorkloadState.js';
import type { Long } from '@grpc/proto-loader';

/**
 * An earlier allocation of a workload: where it ran and how it ended.
 */
export interface PastAllocation {
  'allocationId'?: (string);
  'nodeId'?: (string);
  'nodeName'?: (string);
  /**
   * Which run it was (ScheduledWorkload.attempt at the time).
   */
  'attempt'?: (number);
  /**
   * How it ended (failed, succeeded, lost, ...) and when.
   */
  'state'?: (_mo_v1_WorkloadState);
  'endedAtMs'?: (number | string | Long);
}

/**
 * An earlier allocation of a workload: where it ran and how it ended.
 */
export interface PastAllocation__Output {
  'allocationId': (string);
  'nodeId': (string);
  'nodeName': (string);
  /**
   * Which run it was (ScheduledWorkload.attempt at the time).
   */
  'attempt': (number);
  /**
   * How it ended (failed, succeeded, lost, ...) and when.
   */
  'state': (_mo_v1_WorkloadState__Output);
  'endedAtMs': (number);
}
