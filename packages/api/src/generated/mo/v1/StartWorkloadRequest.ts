// Original file: proto/mo/v1/agent.proto

import type { WorkloadSpec as _mo_v1_WorkloadSpec, WorkloadSpec__Output as _mo_v1_WorkloadSpec__Output } from '../../mo/v1/WorkloadSpec.js';
import type { Long } from '@grpc/proto-loader';

export interface StartWorkloadRequest {
  'spec'?: (_mo_v1_WorkloadSpec | null);
  /**
   * The calling leader's epoch (RegisterResponse.leader_epoch): lower than the highest this agent
   * has seen is FAILED_PRECONDITION (a deposed leader); higher makes the agent register anew.
   */
  'leaderEpoch'?: (number | string | Long);
}

export interface StartWorkloadRequest__Output {
  'spec': (_mo_v1_WorkloadSpec__Output | null);
  /**
   * The calling leader's epoch (RegisterResponse.leader_epoch): lower than the highest this agent
   * has seen is FAILED_PRECONDITION (a deposed leader); higher makes the agent register anew.
   */
  'leaderEpoch': (number);
}
