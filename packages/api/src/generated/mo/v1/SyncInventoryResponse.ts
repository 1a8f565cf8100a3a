// Original file: proto/mo/v1/registry.proto

import type { Long } from '@grpc/proto-loader';

export interface SyncInventoryResponse {
  /**
   * Allocations of this page the agent must stop.
   */
  'stopAllocationIds'?: (string)[];
  /**
   * As in RegisterResponse: stops from a lower epoch than the agent has seen are not obeyed.
   */
  'leaderEpoch'?: (number | string | Long);
}

export interface SyncInventoryResponse__Output {
  /**
   * Allocations of this page the agent must stop.
   */
  'stopAllocationIds': (string)[];
  /**
   * As in RegisterResponse: stops from a lower epoch than the agent has seen are not obeyed.
   */
  'leaderEpoch': (number);
}
