// Original file: proto/mo/v1/registry.proto

import type { Long } from '@grpc/proto-loader';

export interface RegisterResponse {
  'nodeId'?: (string);
  'heartbeatIntervalMs'?: (number | string | Long);
  'downAfterMs'?: (number | string | Long);
  /**
   * Allocations the agent must stop: replaced while it was away, or unknown to the scheduler
   * (of this page; each SyncInventory answer names those of its own page).
   */
  'stopAllocationIds'?: (string)[];
  /**
   * Names this registration in SyncInventory; set when the request said inventory_follows.
   */
  'registrationId'?: (string);
}

export interface RegisterResponse__Output {
  'nodeId': (string);
  'heartbeatIntervalMs': (number);
  'downAfterMs': (number);
  /**
   * Allocations the agent must stop: replaced while it was away, or unknown to the scheduler
   * (of this page; each SyncInventory answer names those of its own page).
   */
  'stopAllocationIds': (string)[];
  /**
   * Names this registration in SyncInventory; set when the request said inventory_follows.
   */
  'registrationId': (string);
}
