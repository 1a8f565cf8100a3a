// Original file: proto/mo/v1/workload.proto

export const WorkloadState = {
  WORKLOAD_STATE_UNSPECIFIED: 'WORKLOAD_STATE_UNSPECIFIED',
  WORKLOAD_STATE_PENDING: 'WORKLOAD_STATE_PENDING',
  WORKLOAD_STATE_STARTING: 'WORKLOAD_STATE_STARTING',
  WORKLOAD_STATE_RUNNING: 'WORKLOAD_STATE_RUNNING',
  WORKLOAD_STATE_SUCCEEDED: 'WORKLOAD_STATE_SUCCEEDED',
  WORKLOAD_STATE_FAILED: 'WORKLOAD_STATE_FAILED',
  WORKLOAD_STATE_STOPPED: 'WORKLOAD_STATE_STOPPED',
  WORKLOAD_STATE_LOST: 'WORKLOAD_STATE_LOST',
  /**
   * The scheduler cannot hear from the workload's node: it may well still run. Not an end: it goes
   * back to running when the node returns, or is declared lost once its lost_after passes.
   */
  WORKLOAD_STATE_UNKNOWN: 'WORKLOAD_STATE_UNKNOWN',
} as const;

export type WorkloadState =
  | 'WORKLOAD_STATE_UNSPECIFIED'
  | 0
  | 'WORKLOAD_STATE_PENDING'
  | 1
  | 'WORKLOAD_STATE_STARTING'
  | 2
  | 'WORKLOAD_STATE_RUNNING'
  | 3
  | 'WORKLOAD_STATE_SUCCEEDED'
  | 4
  | 'WORKLOAD_STATE_FAILED'
  | 5
  | 'WORKLOAD_STATE_STOPPED'
  | 6
  | 'WORKLOAD_STATE_LOST'
  | 7
  /**
   * The scheduler cannot hear from the workload's node: it may well still run. Not an end: it goes
   * back to running when the node returns, or is declared lost once its lost_after passes.
   */
  | 'WORKLOAD_STATE_UNKNOWN'
  | 8

export type WorkloadState__Output = typeof WorkloadState[keyof typeof WorkloadState]
