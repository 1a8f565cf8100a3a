// Original file: proto/mo/v1/agent.proto

import type { WorkloadSpec as _mo_v1_WorkloadSpec, WorkloadSpec__Output as _mo_v1_WorkloadSpec__Output } from '../../mo/v1/WorkloadSpec.js';
import type { Long } from '@grpc/proto-loader';

export interface StartWorkloadsRequest {
  /**
   * At most 1000, each at most 1 MiB encoded, the whole request within the 4 MiB message limit.
   */
  'specs'?: (_mo_v1_WorkloadSpec)[];
  /**
   * As in StartWorkloadRequest.
   */
  'leaderEpoch'?: (number | string | Long);
}

export interface StartWorkloadsRequest__Output {
  /**
   * At most 1000, each at most 1 MiB encoded, the whole request within the 4 MiB message limit.
   */
  'specs': (_mo_v1_WorkloadSpec__Output)[];
  /**
   * As in StartWorkloadRequest.
   */
  'leaderEpoch': (number);
}
