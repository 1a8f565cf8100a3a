// Original file: proto/mo/v1/pipeline.proto

import type { StepState as _mo_v1_StepState, StepState__Output as _mo_v1_StepState__Output } from '../../mo/v1/StepState.js';
import type { ExitStatus as _mo_v1_ExitStatus, ExitStatus__Output as _mo_v1_ExitStatus__Output } from '../../mo/v1/ExitStatus.js';
import type { StepApproval as _mo_v1_StepApproval, StepApproval__Output as _mo_v1_StepApproval__Output } from '../../mo/v1/StepApproval.js';
import type { Long } from '@grpc/proto-loader';

export interface PipelineStep {
  'id'?: (string);
  'state'?: (_mo_v1_StepState);
  'reason'?: (string);
  'needs'?: (string)[];
  /**
   * Attempts started so far, and the most the spec allows.
   */
  'attempt'?: (number);
  'maxAttempts'?: (number);
  /**
   * The latest attempt's workload (see Scheduler.GetScheduledWorkload) and where it ran.
   */
  'workloadId'?: (string);
  'nodeName'?: (string);
  'exit'?: (_mo_v1_ExitStatus | null);
  'outputs'?: ({[key: string]: string});
  'startedAtMs'?: (number | string | Long);
  'endedAtMs'?: (number | string | Long);
  'notBeforeMs'?: (number | string | Long);
  'approvalRequired'?: (boolean);
  'approval'?: (_mo_v1_StepApproval | null);
  /**
   * "success" | "failure" | "always"
   */
  'when'?: (string);
}

export interface PipelineStep__Output {
  'id': (string);
  'state': (_mo_v1_StepState__Output);
  'reason': (string);
  'needs': (string)[];
  /**
   * Attempts started so far, and the most the spec allows.
   */
  'attempt': (number);
  'maxAttempts': (number);
  /**
   * The latest attempt's workload (see Scheduler.GetScheduledWorkload) and where it ran.
   */
  'workloadId': (string);
  'nodeName': (string);
  'exit': (_mo_v1_ExitStatus__Output | null);
  'outputs': ({[key: string]: string});
  'startedAtMs': (number);
  'endedAtMs': (number);
  'notBeforeMs': (number);
  'approvalRequired': (boolean);
  'approval': (_mo_v1_StepApproval__Output | null);
  /**
   * "success" | "failure" | "always"
   */
  'when': (string);
}
