// Original file: proto/mo/v1/jobs.proto

import type { JobChange as _mo_v1_JobChange, JobChange__Output as _mo_v1_JobChange__Output } from '../../mo/v1/JobChange.js';
import type { Long } from '@grpc/proto-loader';

export interface JobVersionInfo {
  'version'?: (number);
  /**
   * sha256 of the normalized spec: equal hashes are the same spec.
   */
  'hash'?: (string);
  'submittedAtMs'?: (number | string | Long);
  'spec'?: (string);
  /**
   * What changed from the version before it.
   */
  'changes'?: (_mo_v1_JobChange)[];
}

export interface JobVersionInfo__Output {
  'version': (number);
  /**
   * sha256 of the normalized spec: equal hashes are the same spec.
   */
  'hash': (string);
  'submittedAtMs': (number);
  'spec': (string);
  /**
   * What changed from the version before it.
   */
  'changes': (_mo_v1_JobChange__Output)[];
}
