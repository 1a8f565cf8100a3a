// Original file: proto/mo/v1/pipeline.proto

import type { Pipeline as _mo_v1_Pipeline, Pipeline__Output as _mo_v1_Pipeline__Output } from '../../mo/v1/Pipeline.js';

export interface ListPipelinesResponse {
  /**
   * Without their spec text.
   */
  'pipelines'?: (_mo_v1_Pipeline)[];
  'total'?: (number);
}

export interface ListPipelinesResponse__Output {
  /**
   * Without their spec text.
   */
  'pipelines': (_mo_v1_Pipeline__Output)[];
  'total': (number);
}
