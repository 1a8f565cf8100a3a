// Original file: proto/mo/v1/registry.proto

import type { Long } from '@grpc/proto-loader';

export interface HeartbeatResponse {
  /**
   * Send heartbeats this often from now on.
   */
  'heartbeatIntervalMs'?: (number | string | Long);
  'downAfterMs'?: (number | string | Long);
  'stopAllocationIds'?: (string)[];
}

export interface HeartbeatResponse__Output {
  /**
   * Send heartbeats this often from now on.
   */
  'heartbeatIntervalMs': (number);
  'downAfterMs': (number);
  'stopAllocationIds': (string)[];
}
