// Original file: proto/mo/v1/registry.proto

import type { WorkloadStatus as _mo_v1_WorkloadStatus, WorkloadStatus__Output as _mo_v1_WorkloadStatus__Output } from '../../mo/v1/WorkloadStatus.js';

export interface SyncInventoryRequest {
  'nodeId'?: (string);
  'registrationId'?: (string);
  /**
   * One page: at most 1,000 entries (~2 MiB as the agent fills it).
   */
  'inventory'?: (_mo_v1_WorkloadStatus)[];
  /**
   * More pages follow this one; false on the last.
   */
  'inventoryFollows'?: (boolean);
}

export interface SyncInventoryRequest__Output {
  'nodeId': (string);
  'registrationId': (string);
  /**
   * One page: at most 1,000 entries (~2 MiB as the agent fills it).
   */
  'inventory': (_mo_v1_WorkloadStatus__Output)[];
  /**
   * More pages follow this one; false on the last.
   */
  'inventoryFollows': (boolean);
}
