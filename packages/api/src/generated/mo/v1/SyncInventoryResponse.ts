// Original file: proto/mo/v1/registry.proto


export interface SyncInventoryResponse {
  /**
   * Allocations of this page the agent must stop.
   */
  'stopAllocationIds'?: (string)[];
}

export interface SyncInventoryResponse__Output {
  /**
   * Allocations of this page the agent must stop.
   */
  'stopAllocationIds': (string)[];
}
