// Original file: proto/mo/v1/agent.proto


/**
 * The workloads are paged, oldest first: at most page_size of them, and the page stops once they
 * pass ~2 MiB encoded (always at least one). While next_page_token is not empty, ask again with it
 * as page_token; a token this call did not return is INVALID_ARGUMENT naming page_token.
 */
export interface GetNodeStatusRequest {
  /**
   * Omit the workload list (facts and metrics only).
   */
  'omitWorkloads'?: (boolean);
  /**
   * Most workloads in this page: 0 = 100; above 1000 = 1000.
   */
  'pageSize'?: (number);
  /**
   * Empty = the first page; else a next_page_token of an earlier response.
   */
  'pageToken'?: (string);
}

/**
 * The workloads are paged, oldest first: at most page_size of them, and the page stops once they
 * pass ~2 MiB encoded (always at least one). While next_page_token is not empty, ask again with it
 * as page_token; a token this call did not return is INVALID_ARGUMENT naming page_token.
 */
export interface GetNodeStatusRequest__Output {
  /**
   * Omit the workload list (facts and metrics only).
   */
  'omitWorkloads': (boolean);
  /**
   * Most workloads in this page: 0 = 100; above 1000 = 1000.
   */
  'pageSize': (number);
  /**
   * Empty = the first page; else a next_page_token of an earlier response.
   */
  'pageToken': (string);
}
