// Original file: proto/mo/v1/pipeline.proto

import type { Pipeline as _mo_v1_Pipeline, Pipeline__Output as _mo_v1_Pipeline__Output } from '../../mo/v1/Pipeline.js';
import type { Long } from '@grpc/proto-loader';

export interface PipelineEvent {
  /**
   * Increasing across all pipelines; survives scheduler restarts.
   */
  'seq'?: (number | string | Long);
  'atMs'?: (number | string | Long);
  'pipelineId'?: (string);
  /**
   * Empty when the event is about the pipeline itself.
   */
  'stepId'?: (string);
  /**
   * The pipeline's or the step's state name ("running", "succeeded", ...).
   */
  'state'?: (string);
  'reason'?: (string);
  /**
   * The pipeline as it is when the event is sent (without its spec text).
   */
  'pipeline'?: (_mo_v1_Pipeline | null);
}

export interface PipelineEvent__Output {
  /**
   * Increasing across all pipelines; survives scheduler restarts.
   */
  'seq': (number);
  'atMs': (number);
  'pipelineId': (string);
  /**
   * Empty when the event is about the pipeline itself.
   */
  'stepId': (string);
  /**
   * The pipeline's or the step's state name ("running", "succeeded", ...).
   */
  'state': (string);
  'reason': (string);
  /**
   * The pipeline as it is when the event is sent (without its spec text).
   */
  'pipeline': (_mo_v1_Pipeline__Output | null);
}
