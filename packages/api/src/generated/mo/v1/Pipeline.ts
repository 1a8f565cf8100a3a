// Original file: proto/mo/v1/pipeline.proto

import type { Priority as _mo_v1_Priority, Priority__Output as _mo_v1_Priority__Output } from '../../mo/v1/Priority.js';
import type { PipelineState as _mo_v1_PipelineState, PipelineState__Output as _mo_v1_PipelineState__Output } from '../../mo/v1/PipelineState.js';
import type { PipelineStep as _mo_v1_PipelineStep, PipelineStep__Output as _mo_v1_PipelineStep__Output } from '../../mo/v1/PipelineStep.js';
import type { Compensation as _mo_v1_Compensation, Compensation__Output as _mo_v1_Compensation__Output } from '../../mo/v1/Compensation.js';
import type { Long } from '@grpc/proto-loader';

export interface Pipeline {
  'id'?: (string);
  'name'?: (string);
  'priority'?: (_mo_v1_Priority);
  'idempotencyKey'?: (string);
  'state'?: (_mo_v1_PipelineState);
  'reason'?: (string);
  /**
   * In dependency order.
   */
  'steps'?: (_mo_v1_PipelineStep)[];
  /**
   * In the order they ran (reverse dependency order).
   */
  'compensations'?: (_mo_v1_Compensation)[];
  'concurrency'?: (string);
  'createdAtMs'?: (number | string | Long);
  'startedAtMs'?: (number | string | Long);
  'endedAtMs'?: (number | string | Long);
  'updatedAtMs'?: (number | string | Long);
  /**
   * The spec text as submitted.
   */
  'spec'?: (string);
}

export interface Pipeline__Output {
  'id': (string);
  'name': (string);
  'priority': (_mo_v1_Priority__Output);
  'idempotencyKey': (string);
  'state': (_mo_v1_PipelineState__Output);
  'reason': (string);
  /**
   * In dependency order.
   */
  'steps': (_mo_v1_PipelineStep__Output)[];
  /**
   * In the order they ran (reverse dependency order).
   */
  'compensations': (_mo_v1_Compensation__Output)[];
  'concurrency': (string);
  'createdAtMs': (number);
  'startedAtMs': (number);
  'endedAtMs': (number);
  'updatedAtMs': (number);
  /**
   * The spec text as submitted.
   */
  'spec': (string);
}
