// Original file: proto/mo/v1/scheduler.proto

import type { LogStream as _mo_v1_LogStream, LogStream__Output as _mo_v1_LogStream__Output } from '../../mo/v1/LogStream.js';

/**
 * Logs of one allocation of a workload: the current one, or an earlier one (previous,
 * allocation_id). A follow ends when that allocation ends; a client that wants the next one after a
 * restart asks again (GetWorkload says which is current). Earlier allocations' logs are kept by their
 * nodes only for a while: once a node dropped them (its --max-log-disk, --max-ended) the call fails
 * with FAILED_PRECONDITION or NOT_FOUND saying so. A node that is down or unreachable is UNAVAILABLE
 * with a message starting "node NAME is unreachable".
 */
export interface StreamWorkloadLogsRequest {
  'workloadId'?: (string);
  'stream'?: (_mo_v1_LogStream);
  'tailLines'?: (number);
  'follow'?: (boolean);
  /**
   * This allocation (the current one or one in previous_allocations) instead of the current one.
   */
  'allocationId'?: (string);
  /**
   * The allocation before the current one (the last ended one while a restart is pending). Not
   * with allocation_id.
   */
  'previous'?: (boolean);
}

/**
 * Logs of one allocation of a workload: the current one, or an earlier one (previous,
 * allocation_id). A follow ends when that allocation ends; a client that wants the next one after a
 * restart asks again (GetWorkload says which is current). Earlier allocations' logs are kept by their
 * nodes only for a while: once a node dropped them (its --max-log-disk, --max-ended) the call fails
 * with FAILED_PRECONDITION or NOT_FOUND saying so. A node that is down or unreachable is UNAVAILABLE
 * with a message starting "node NAME is unreachable".
 */
export interface StreamWorkloadLogsRequest__Output {
  'workloadId': (string);
  'stream': (_mo_v1_LogStream__Output);
  'tailLines': (number);
  'follow': (boolean);
  /**
   * This allocation (the current one or one in previous_allocations) instead of the current one.
   */
  'allocationId': (string);
  /**
   * The allocation before the current one (the last ended one while a restart is pending). Not
   * with allocation_id.
   */
  'previous': (boolean);
}
