// Original file: proto/mo/v1/pipeline.proto

export const PipelineState = {
  PIPELINE_STATE_UNSPECIFIED: 'PIPELINE_STATE_UNSPECIFIED',
  /**
   * admitted, waiting for a running slot
   */
  PIPELINE_STATE_PENDING: 'PIPELINE_STATE_PENDING',
  PIPELINE_STATE_RUNNING: 'PIPELINE_STATE_RUNNING',
  /**
   * nothing runs; a step waits at its gate
   */
  PIPELINE_STATE_AWAITING_APPROVAL: 'PIPELINE_STATE_AWAITING_APPROVAL',
  /**
   * failed or cancelled, compensations running
   */
  PIPELINE_STATE_COMPENSATING: 'PIPELINE_STATE_COMPENSATING',
  PIPELINE_STATE_SUCCEEDED: 'PIPELINE_STATE_SUCCEEDED',
  PIPELINE_STATE_FAILED: 'PIPELINE_STATE_FAILED',
  PIPELINE_STATE_CANCELLED: 'PIPELINE_STATE_CANCELLED',
} as const;

export type PipelineState =
  | 'PIPELINE_STATE_UNSPECIFIED'
  | 0
  /**
   * admitted, waiting for a running slot
   */
  | 'PIPELINE_STATE_PENDING'
  | 1
  | 'PIPELINE_STATE_RUNNING'
  | 2
  /**
   * nothing runs; a step waits at its gate
   */
  | 'PIPELINE_STATE_AWAITING_APPROVAL'
  | 3
  /**
   * failed or cancelled, compensations running
   */
  | 'PIPELINE_STATE_COMPENSATING'
  | 4
  | 'PIPELINE_STATE_SUCCEEDED'
  | 5
  | 'PIPELINE_STATE_FAILED'
  | 6
  | 'PIPELINE_STATE_CANCELLED'
  | 7

export type PipelineState__Output = typeof PipelineState[keyof typeof PipelineState]
