// Original file: proto/mo/v1/registry.proto

import type { ArtifactReplica as _mo_v1_ArtifactReplica, ArtifactReplica__Output as _mo_v1_ArtifactReplica__Output } from '../../mo/v1/ArtifactReplica.js';

export interface ArtifactReplicaReport {
  /**
   * The reporting scheduler's advertised gRPC address (at most 256 bytes): names the mirror.
   */
  'mirror'?: (string);
  /**
   * Artifacts stored since the previous report, at most 1,000; none: a heartbeat.
   */
  'artifacts'?: (_mo_v1_ArtifactReplica)[];
}

export interface ArtifactReplicaReport__Output {
  /**
   * The reporting scheduler's advertised gRPC address (at most 256 bytes): names the mirror.
   */
  'mirror': (string);
  /**
   * Artifacts stored since the previous report, at most 1,000; none: a heartbeat.
   */
  'artifacts': (_mo_v1_ArtifactReplica__Output)[];
}
