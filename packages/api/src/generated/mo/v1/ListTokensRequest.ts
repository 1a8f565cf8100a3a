// Original file: proto/mo/v1/token.proto


/**
 * Paged newest first (see ListWorkloadsRequest for the rules).
 */
export interface ListTokensRequest {
  /**
   * Most tokens in this page: 0 = 100; above 1000 = 1000.
   */
  'pageSize'?: (number);
  'pageToken'?: (string);
}

/**
 * Paged newest first (see ListWorkloadsRequest for the rules).
 */
export interface ListTokensRequest__Output {
  /**
   * Most tokens in this page: 0 = 100; above 1000 = 1000.
   */
  'pageSize': (number);
  'pageToken': (string);
}
