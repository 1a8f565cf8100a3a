// Original file: proto/mo/v1/registry.proto

import type { Long } from '@grpc/proto-loader';

export interface ArtifactReplicaAck {
  /**
   * The leader counts the mirror live this long after this report: report again well before.
   */
  'liveForMs'?: (number | string | Long);
}

export interface ArtifactReplicaAck__Output {
  /**
   * The leader counts the mirror live this long after this report: report again well before.
   */
  'liveForMs': (number);
}
