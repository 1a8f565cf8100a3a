// Original file: proto/mo/v1/scheduler.proto

import type { WorkloadState as _mo_v1_WorkloadState, WorkloadState__Output as _mo_v1_WorkloadState__Output } from '../../mo/v1/WorkloadState.js';

export interface ListWorkloadsRequest {
  /**
   * Filters; empty = all.
   */
  'states'?: (_mo_v1_WorkloadState)[];
  'nodeId'?: (string);
  /**
   * Newest first; 0 = 100, at most 10000.
   */
  'limit'?: (number);
  /**
   * Leave out events (smaller responses).
   */
  'omitEvents'?: (boolean);
}

export interface ListWorkloadsRequest__Output {
  /**
   * Filters; empty = all.
   */
  'states': (_mo_v1_WorkloadState__Output)[];
  'nodeId': (string);
  /**
   * Newest first; 0 = 100, at most 10000.
   */
  'limit': (number);
  /**
   * Leave out events (smaller responses).
   */
  'omitEvents': (boolean);
}
