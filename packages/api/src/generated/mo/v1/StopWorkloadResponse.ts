// Original file: proto/mo/v1/agent.proto

import type { WorkloadStatus as _mo_v1_WorkloadStatus, WorkloadStatus__Output as _mo_v1_WorkloadStatus__Output } from '../../mo/v1/WorkloadStatus.js';

export interface StopWorkloadResponse {
  'workload'?: (_mo_v1_WorkloadStatus | null);
}

export interface StopWorkloadResponse__Output {
  'workload': (_mo_v1_WorkloadStatus__Output | null);
}
