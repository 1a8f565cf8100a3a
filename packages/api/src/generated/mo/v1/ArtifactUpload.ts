// Original file: proto/mo/v1/registry.proto

import type { ArtifactRef as _mo_v1_ArtifactRef, ArtifactRef__Output as _mo_v1_ArtifactRef__Output } from '../../mo/v1/ArtifactRef.js';

export interface ArtifactUpload {
  /**
   * First message only.
   */
  'artifact'?: (_mo_v1_ArtifactRef | null);
  'data'?: (Buffer | Uint8Array | string);
  /**
   * Last message only: the sender's hex sha256 of everything sent.
   */
  'sha256'?: (string);
}

export interface ArtifactUpload__Output {
  /**
   * First message only.
   */
  'artifact': (_mo_v1_ArtifactRef__Output | null);
  'data': (Buffer);
  /**
   * Last message only: the sender's hex sha256 of everything sent.
   */
  'sha256': (string);
}
