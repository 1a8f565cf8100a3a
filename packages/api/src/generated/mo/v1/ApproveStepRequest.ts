// Original file: proto/mo/v1/pipeline.proto


export interface ApproveStepRequest {
  'pipelineId'?: (string);
  'stepId'?: (string);
  'reject'?: (boolean);
  /**
   * Who decided, and why (recorded on the step).
   */
  'by'?: (string);
  'reason'?: (string);
}

export interface ApproveStepRequest__Output {
  'pipelineId': (string);
  'stepId': (string);
  'reject': (boolean);
  /**
   * Who decided, and why (recorded on the step).
   */
  'by': (string);
  'reason': (string);
}
