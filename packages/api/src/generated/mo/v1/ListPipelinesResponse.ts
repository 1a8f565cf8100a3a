// Original file: proto/mo/v1/pipeline.proto

import type { Pipeline as _mo_v1_Pipeline, Pipeline__Output as _mo_v1_Pipeline__Output } from '../../mo/v1/Pipeline.js';

export interface ListPipelinesResponse {
  /**
   * Without their spec text.
   */
  'pipelines'?: (_mo_v1_Pipeline)[];
  /**
   * Matching pipelines in all, across every page.
   */
  'total'?: (number);
  /**
   * Empty on the last page.
   */
  'nextPageToken'?: (string);
}

export interface ListPipelinesResponse__Output {
  /**
   * Without their spec text.
   */
  'pipelines': (_mo_v1_Pipeline__Output)[];
  /**
   * Matching pipelines in all, across every page.
   */
  'total': (number);
  /**
   * Empty on the last page.
   */
  'nextPageToken': (string);
}
