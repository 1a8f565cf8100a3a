// Original file: proto/mo/v1/scheduler.proto


export interface WatchRequest {
  /**
   * Only this workload's events (empty = everything).
   */
  'workloadId'?: (string);
  /**
   * Send the workload's (or every node's and workload's) current state first.
   */
  'initialState'?: (boolean);
}

export interface WatchRequest__Output {
  /**
   * Only this workload's events (empty = everything).
   */
  'workloadId': (string);
  /**
   * Send the workload's (or every node's and workload's) current state first.
   */
  'initialState': (boolean);
}
