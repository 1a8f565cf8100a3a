// Original file: proto/mo/v1/pipeline.proto

import type { StepState as _mo_v1_StepState, StepState__Output as _mo_v1_StepState__Output } from '../../mo/v1/StepState.js';

/**
 * One saga compensation: the workload that undid a completed step.
 */
export interface Compensation {
  'stepId'?: (string);
  'workloadId'?: (string);
  'state'?: (_mo_v1_StepState);
  'reason'?: (string);
}

/**
 * One saga compensation: the workload that undid a completed step.
 */
export interface Compensation__Output {
  'stepId': (string);
  'workloadId': (string);
  'state': (_mo_v1_StepState__Output);
  'reason': (string);
}
