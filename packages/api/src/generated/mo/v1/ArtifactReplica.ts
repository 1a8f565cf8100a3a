// Original file: proto/mo/v1/registry.proto


export interface ArtifactReplica {
  'pipelineId'?: (string);
  'stepId'?: (string);
  'path'?: (string);
  /**
   * The hex sha256 of the stored content (a replaced artifact has another).
   */
  'sha256'?: (string);
}

export interface ArtifactReplica__Output {
  'pipelineId': (string);
  'stepId': (string);
  'path': (string);
  /**
   * The hex sha256 of the stored content (a replaced artifact has another).
   */
  'sha256': (string);
}
