// Original file: proto/mo/v1/agent.proto

import type { StartResult as _mo_v1_StartResult, StartResult__Output as _mo_v1_StartResult__Output } from '../../mo/v1/StartResult.js';

export interface StartWorkloadsResponse {
  /**
   * In the order of the request's specs.
   */
  'results'?: (_mo_v1_StartResult)[];
}

export interface StartWorkloadsResponse__Output {
  /**
   * In the order of the request's specs.
   */
  'results': (_mo_v1_StartResult__Output)[];
}
