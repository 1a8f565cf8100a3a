// Original file: proto/mo/v1/scheduler.proto

import type { ScheduledWorkload as _mo_v1_ScheduledWorkload, ScheduledWorkload__Output as _mo_v1_ScheduledWorkload__Output } from '../../mo/v1/ScheduledWorkload.js';

export interface SubmitWorkloadResponse {
  'workload'?: (_mo_v1_ScheduledWorkload | null);
  /**
   * True when the idempotency key matched an existing workload (nothing new was created).
   */
  'existing'?: (boolean);
}

export interface SubmitWorkloadResponse__Output {
  'workload': (_mo_v1_ScheduledWorkload__Output | null);
  /**
   * True when the idempotency key matched an existing workload (nothing new was created).
   */
  'existing': (boolean);
}
