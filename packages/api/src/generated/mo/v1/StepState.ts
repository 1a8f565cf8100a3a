// Original file: proto/mo/v1/pipeline.proto

export const StepState = {
  STEP_STATE_UNSPECIFIED: 'STEP_STATE_UNSPECIFIED',
  /**
   * its needs have not all ended
   */
  STEP_STATE_WAITING: 'STEP_STATE_WAITING',
  STEP_STATE_AWAITING_APPROVAL: 'STEP_STATE_AWAITING_APPROVAL',
  /**
   * its workload is submitted (pending, starting or running)
   */
  STEP_STATE_RUNNING: 'STEP_STATE_RUNNING',
  /**
   * an attempt failed; the next one starts at not_before_ms
   */
  STEP_STATE_RETRYING: 'STEP_STATE_RETRYING',
  STEP_STATE_SUCCEEDED: 'STEP_STATE_SUCCEEDED',
  STEP_STATE_FAILED: 'STEP_STATE_FAILED',
  /**
   * its `when` did not hold
   */
  STEP_STATE_SKIPPED: 'STEP_STATE_SKIPPED',
  /**
   * stopped because the pipeline failed or was cancelled
   */
  STEP_STATE_CANCELLED: 'STEP_STATE_CANCELLED',
} as const;

export type StepState =
  | 'STEP_STATE_UNSPECIFIED'
  | 0
  /**
   * its needs have not all ended
   */
  | 'STEP_STATE_WAITING'
  | 1
  | 'STEP_STATE_AWAITING_APPROVAL'
  | 2
  /**
   * its workload is submitted (pending, starting or running)
   */
  | 'STEP_STATE_RUNNING'
  | 3
  /**
   * an attempt failed; the next one starts at not_before_ms
   */
  | 'STEP_STATE_RETRYING'
  | 4
  | 'STEP_STATE_SUCCEEDED'
  | 5
  | 'STEP_STATE_FAILED'
  | 6
  /**
   * its `when` did not hold
   */
  | 'STEP_STATE_SKIPPED'
  | 7
  /**
   * stopped because the pipeline failed or was cancelled
   */
  | 'STEP_STATE_CANCELLED'
  | 8

export type StepState__Output = typeof StepState[keyof typeof StepState]
