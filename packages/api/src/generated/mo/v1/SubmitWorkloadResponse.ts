// Original file: proto/mo/v1/scheduler.proto

import type { ScheduledWorkload as _mo_v1_ScheduledWorkload, ScheduledWorkload__Output as _mo_v1_ScheduledWorkload__Output } from '../../mo/v1/ScheduledWorkload.js';

export interface SubmitWorkloadResponse {
  /**
   * The workload; for an array, its member 0 (unset if a retry finds it no longer kept).
   */
  'workload'?: (_mo_v1_ScheduledWorkload | null);
  /**
   * True when the idempotency key matched an existing workload (nothing new was created).
   */
  'existing'?: (boolean);
  /**
   * An array (count > 0): its group id and every member's id, by index. Ids only, so 10,000 members
   * stay far under the message limit; their records are listed with ListWorkloads group_id.
   */
  'groupId'?: (string);
  'workloadIds'?: (string)[];
}

export interface SubmitWorkloadResponse__Output {
  /**
   * The workload; for an array, its member 0 (unset if a retry finds it no longer kept).
   */
  'workload': (_mo_v1_ScheduledWorkload__Output | null);
  /**
   * True when the idempotency key matched an existing workload (nothing new was created).
   */
  'existing': (boolean);
  /**
   * An array (count > 0): its group id and every member's id, by index. Ids only, so 10,000 members
   * stay far under the message limit; their records are listed with ListWorkloads group_id.
   */
  'groupId': (string);
  'workloadIds': (string)[];
}
