// Original file: proto/mo/v1/workload.proto

import type { Long } from '@grpc/proto-loader';

/**
 * One stored artifact of a pipeline step.
 */
export interface ArtifactRef {
  'pipelineId'?: (string);
  'stepId'?: (string);
  'path'?: (string);
  /**
   * Hex sha256 of the content, checked by whoever receives it.
   */
  'sha256'?: (string);
  'sizeBytes'?: (number | string | Long);
}

/**
 * One stored artifact of a pipeline step.
 */
export interface ArtifactRef__Output {
  'pipelineId': (string);
  'stepId': (string);
  'path': (string);
  /**
   * Hex sha256 of the content, checked by whoever receives it.
   */
  'sha256': (string);
  'sizeBytes': (number);
}
