// Original file: proto/mo/v1/workload.proto

import type { WorkloadState as _mo_v1_WorkloadState, WorkloadState__Output as _mo_v1_WorkloadState__Output } from '../../mo/v1/WorkloadState.js';
import type { Long } from '@grpc/proto-loader';

/**
 * One state transition, as recorded by whoever observed it.
 */
export interface WorkloadEvent {
  'workloadId'?: (string);
  'state'?: (_mo_v1_WorkloadState);
  'reason'?: (string);
  'atMs'?: (number | string | Long);
}

/**
 * One state transition, as recorded by whoever observed it.
 */
export interface WorkloadEvent__Output {
  'workloadId': (string);
  'state': (_mo_v1_WorkloadState__Output);
  'reason': (string);
  'atMs': (number);
}
