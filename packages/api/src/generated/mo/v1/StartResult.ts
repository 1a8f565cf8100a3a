// Original file: proto/mo/v1/agent.proto

import type { WorkloadStatus as _mo_v1_WorkloadStatus, WorkloadStatus__Output as _mo_v1_WorkloadStatus__Output } from '../../mo/v1/WorkloadStatus.js';

/**
 * The outcome of one start of a batch: the workload, or the error StartWorkload would have returned.
 */
export interface StartResult {
  /**
   * Its spec is brief: id, name, driver, resources and labels (the caller has the rest).
   */
  'workload'?: (_mo_v1_WorkloadStatus | null);
  /**
   * A gRPC status code (0 = OK) and its message.
   */
  'errorCode'?: (number);
  'errorMessage'?: (string);
}

/**
 * The outcome of one start of a batch: the workload, or the error StartWorkload would have returned.
 */
export interface StartResult__Output {
  /**
   * Its spec is brief: id, name, driver, resources and labels (the caller has the rest).
   */
  'workload': (_mo_v1_WorkloadStatus__Output | null);
  /**
   * A gRPC status code (0 = OK) and its message.
   */
  'errorCode': (number);
  'errorMessage': (string);
}
