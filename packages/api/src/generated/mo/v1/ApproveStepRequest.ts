// Original file: proto/mo/v1/pipeline.proto


export interface ApproveStepRequest {
  'pipelineId'?: (string);
  'stepId'?: (string);
  'reject'?: (boolean);
  /**
   * Ignored, kept so older clients are not refused: the approver recorded on the step (StepApproval.by)
   * is the caller's identity ("token:ci", "client:alice"; "insecure" on a scheduler started with
   * --insecure and called without a token), never free text.
   */
  'by'?: (string);
  /**
   * Why (recorded on the step), at most 4096 characters.
   */
  'reason'?: (string);
}

export interface ApproveStepRequest__Output {
  'pipelineId': (string);
  'stepId': (string);
  'reject': (boolean);
  /**
   * Ignored, kept so older clients are not refused: the approver recorded on the step (StepApproval.by)
   * is the caller's identity ("token:ci", "client:alice"; "insecure" on a scheduler started with
   * --insecure and called without a token), never free text.
   */
  'by': (string);
  /**
   * Why (recorded on the step), at most 4096 characters.
   */
  'reason': (string);
}
