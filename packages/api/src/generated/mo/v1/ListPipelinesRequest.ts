// Original file: proto/mo/v1/pipeline.proto

import type { PipelineState as _mo_v1_PipelineState, PipelineState__Output as _mo_v1_PipelineState__Output } from '../../mo/v1/PipelineState.js';

export interface ListPipelinesRequest {
  'states'?: (_mo_v1_PipelineState)[];
  /**
   * Exact pipeline name.
   */
  'name'?: (string);
  /**
   * Newest first; 0 = 100, at most 10000.
   */
  'limit'?: (number);
}

export interface ListPipelinesRequest__Output {
  'states': (_mo_v1_PipelineState__Output)[];
  /**
   * Exact pipeline name.
   */
  'name': (string);
  /**
   * Newest first; 0 = 100, at most 10000.
   */
  'limit': (number);
}
