// Original file: proto/mo/v1/pipeline.proto

import type { Pipeline as _mo_v1_Pipeline, Pipeline__Output as _mo_v1_Pipeline__Output } from '../../mo/v1/Pipeline.js';

export interface SubmitPipelineResponse {
  'pipeline'?: (_mo_v1_Pipeline | null);
  'existing'?: (boolean);
}

export interface SubmitPipelineResponse__Output {
  'pipeline': (_mo_v1_Pipeline__Output | null);
  'existing': (boolean);
}
