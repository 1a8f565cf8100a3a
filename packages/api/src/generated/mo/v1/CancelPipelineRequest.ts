// Original file: proto/mo/v1/pipeline.proto


export interface CancelPipelineRequest {
  'pipelineId'?: (string);
  'reason'?: (string);
}

export interface CancelPipelineRequest__Output {
  'pipelineId': (string);
  'reason': (string);
}
