// Original file: proto/mo/v1/scheduler.proto

import type { Long } from '@grpc/proto-loader';

export interface StopScheduledWorkloadRequest {
  'workloadId'?: (string);
  /**
   * 0 = the workload's own grace period.
   */
  'gracePeriodMs'?: (number | string | Long);
}

export interface StopScheduledWorkloadRequest__Output {
  'workloadId': (string);
  /**
   * 0 = the workload's own grace period.
   */
  'gracePeriodMs': (number);
}
