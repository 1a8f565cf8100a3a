// Original file: proto/mo/v1/workload.proto

import type { ArtifactRef as _mo_v1_ArtifactRef, ArtifactRef__Output as _mo_v1_ArtifactRef__Output } from '../../mo/v1/ArtifactRef.js';
import type { Long } from '@grpc/proto-loader';

/**
 * A pipeline step's files, moved through the scheduler's artifact store (NodeRegistry
 * UploadArtifact / DownloadArtifact). Paths are relative to the working dir and confined to it.
 */
export interface ArtifactSpec {
  'pipelineId'?: (string);
  'stepId'?: (string);
  /**
   * Uploaded after the workload exits 0; only then is it reported succeeded (an upload failure
   * fails it, with the reason).
   */
  'upload'?: (string)[];
  /**
   * Downloaded into the working dir (at their own paths) before the workload starts.
   */
  'inputs'?: (_mo_v1_ArtifactRef)[];
  /**
   * Most bytes the uploads may total (the scheduler's limit; checked before and while uploading).
   */
  'maxBytes'?: (number | string | Long);
}

/**
 * A pipeline step's files, moved through the scheduler's artifact store (NodeRegistry
 * UploadArtifact / DownloadArtifact). Paths are relative to the working dir and confined to it.
 */
export interface ArtifactSpec__Output {
  'pipelineId': (string);
  'stepId': (string);
  /**
   * Uploaded after the workload exits 0; only then is it reported succeeded (an upload failure
   * fails it, with the reason).
   */
  'upload': (string)[];
  /**
   * Downloaded into the working dir (at their own paths) before the workload starts.
   */
  'inputs': (_mo_v1_ArtifactRef__Output)[];
  /**
   * Most bytes the uploads may total (the scheduler's limit; checked before and while uploading).
   */
  'maxBytes': (number);
}
