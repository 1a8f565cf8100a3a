// Original file: proto/mo/v1/registry.proto


export interface DownloadArtifactRequest {
  'pipelineId'?: (string);
  'stepId'?: (string);
  'path'?: (string);
}

export interface DownloadArtifactRequest__Output {
  'pipelineId': (string);
  'stepId': (string);
  'path': (string);
}
