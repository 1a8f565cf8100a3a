// Original file: proto/mo/v1/pipeline.proto

import type { PipelineState as _mo_v1_PipelineState, PipelineState__Output as _mo_v1_PipelineState__Output } from '../../mo/v1/PipelineState.js';

/**
 * Newest first, paged as ListWorkloads is (scheduler.proto): page_size items at most, ~2 MiB.
 */
export interface ListPipelinesRequest {
  'states'?: (_mo_v1_PipelineState)[];
  /**
   * Exact pipeline name.
   */
  'name'?: (string);
  /**
   * Deprecated: an alias of page_size, used when page_size is 0 (0..10000, above 1000 = 1000).
   */
  'limit'?: (number);
  /**
   * Most pipelines in this page: 0 = 100; above 1000 = 1000.
   */
  'pageSize'?: (number);
  /**
   * Empty = the first page; else a next_page_token of an earlier response.
   */
  'pageToken'?: (string);
}

/**
 * Newest first, paged as ListWorkloads is (scheduler.proto): page_size items at most, ~2 MiB.
 */
export interface ListPipelinesRequest__Output {
  'states': (_mo_v1_PipelineState__Output)[];
  /**
   * Exact pipeline name.
   */
  'name': (string);
  /**
   * Deprecated: an alias of page_size, used when page_size is 0 (0..10000, above 1000 = 1000).
   */
  'limit': (number);
  /**
   * Most pipelines in this page: 0 = 100; above 1000 = 1000.
   */
  'pageSize': (number);
  /**
   * Empty = the first page; else a next_page_token of an earlier response.
   */
  'pageToken': (string);
}
