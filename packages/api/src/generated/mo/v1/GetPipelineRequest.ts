// Original file: proto/mo/v1/pipeline.proto


export interface GetPipelineRequest {
  'pipelineId'?: (string);
}

export interface GetPipelineRequest__Output {
  'pipelineId': (string);
}
