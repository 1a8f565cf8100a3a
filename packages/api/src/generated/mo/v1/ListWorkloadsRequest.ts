// Original file: proto/mo/v1/scheduler.proto

import type { WorkloadState as _mo_v1_WorkloadState, WorkloadState__Output as _mo_v1_WorkloadState__Output } from '../../mo/v1/WorkloadState.js';

/**
 * Paging (every List* call alike): newest first. A page holds at most page_size items and stops
 * early once its encoded items pass ~2 MiB (always at least one item), so no response nears the
 * 4 MiB message limit. While next_page_token is not empty there are more: ask again with it as
 * page_token (and the same filters). Tokens are opaque positions, stable under inserts; one that
 * this call did not return is INVALID_ARGUMENT naming page_token.
 */
export interface ListWorkloadsRequest {
  /**
   * Filters; empty = all.
   */
  'states'?: (_mo_v1_WorkloadState)[];
  'nodeId'?: (string);
  /**
   * Deprecated: an alias of page_size, used when page_size is 0 (0..10000, above 1000 = 1000).
   */
  'limit'?: (number);
  /**
   * Leave out events (smaller responses).
   */
  'omitEvents'?: (boolean);
  /**
   * Most workloads in this page: 0 = 100; above 1000 = 1000.
   */
  'pageSize'?: (number);
  /**
   * Empty = the first page; else a next_page_token of an earlier response.
   */
  'pageToken'?: (string);
  /**
   * Only workloads with this spec.name (exact).
   */
  'name'?: (string);
  /**
   * Only workloads whose id starts with this (case-insensitive; `mo` resolves id prefixes so).
   */
  'idPrefix'?: (string);
  /**
   * Only workloads carrying every one of these spec.labels (key and value exactly).
   */
  'labels'?: ({[key: string]: string});
  /**
   * Only the members of this array (SubmitWorkloadResponse.group_id), newest (highest index) first.
   */
  'groupId'?: (string);
}

/**
 * Paging (every List* call alike): newest first. A page holds at most page_size items and stops
 * early once its encoded items pass ~2 MiB (always at least one item), so no response nears the
 * 4 MiB message limit. While next_page_token is not empty there are more: ask again with it as
 * page_token (and the same filters). Tokens are opaque positions, stable under inserts; one that
 * this call did not return is INVALID_ARGUMENT naming page_token.
 */
export interface ListWorkloadsRequest__Output {
  /**
   * Filters; empty = all.
   */
  'states': (_mo_v1_WorkloadState__Output)[];
  'nodeId': (string);
  /**
   * Deprecated: an alias of page_size, used when page_size is 0 (0..10000, above 1000 = 1000).
   */
  'limit': (number);
  /**
   * Leave out events (smaller responses).
   */
  'omitEvents': (boolean);
  /**
   * Most workloads in this page: 0 = 100; above 1000 = 1000.
   */
  'pageSize': (number);
  /**
   * Empty = the first page; else a next_page_token of an earlier response.
   */
  'pageToken': (string);
  /**
   * Only workloads with this spec.name (exact).
   */
  'name': (string);
  /**
   * Only workloads whose id starts with this (case-insensitive; `mo` resolves id prefixes so).
   */
  'idPrefix': (string);
  /**
   * Only workloads carrying every one of these spec.labels (key and value exactly).
   */
  'labels': ({[key: string]: string});
  /**
   * Only the members of this array (SubmitWorkloadResponse.group_id), newest (highest index) first.
   */
  'groupId': (string);
}
