// Original file: proto/mo/v1/scheduler.proto


/**
 * Paged by name (see ListWorkloadsRequest for the rules).
 */
export interface ListNodesRequest {
  /**
   * Most nodes in this page: 0 = 100; above 1000 = 1000.
   */
  'pageSize'?: (number);
  'pageToken'?: (string);
}

/**
 * Paged by name (see ListWorkloadsRequest for the rules).
 */
export interface ListNodesRequest__Output {
  /**
   * Most nodes in this page: 0 = 100; above 1000 = 1000.
   */
  'pageSize': (number);
  'pageToken': (string);
}
