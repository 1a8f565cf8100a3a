// Original file: proto/mo/v1/agent.proto

import type { WorkloadSpec as _mo_v1_WorkloadSpec, WorkloadSpec__Output as _mo_v1_WorkloadSpec__Output } from '../../mo/v1/WorkloadSpec.js';

export interface StartWorkloadRequest {
  'spec'?: (_mo_v1_WorkloadSpec | null);
}

export interface StartWorkloadRequest__Output {
  'spec': (_mo_v1_WorkloadSpec__Output | null);
}
