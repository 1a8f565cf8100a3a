// Original file: proto/mo/v1/agent.proto

import type { Long } from '@grpc/proto-loader';

export interface StopWorkloadRequest {
  'workloadId'?: (string);
  /**
   * Overrides the workload's grace period when > 0; negative is rejected.
   */
  'gracePeriodMs'?: (number | string | Long);
  /**
   * As in StartWorkloadRequest.
   */
  'leaderEpoch'?: (number | string | Long);
}

export interface StopWorkloadRequest__Output {
  'workloadId': (string);
  /**
   * Overrides the workload's grace period when > 0; negative is rejected.
   */
  'gracePeriodMs': (number);
  /**
   * As in StartWorkloadRequest.
   */
  'leaderEpoch': (number);
}
