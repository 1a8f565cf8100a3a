// Original file: proto/mo/v1/pipeline.proto

import type { Long } from '@grpc/proto-loader';

export interface WatchPipelinesRequest {
  /**
   * One pipeline's events (empty = every pipeline).
   */
  'pipelineId'?: (string);
  /**
   * Replay the retained events with a larger sequence number first (0 = all retained).
   */
  'afterSeq'?: (number | string | Long);
}

export interface WatchPipelinesRequest__Output {
  /**
   * One pipeline's events (empty = every pipeline).
   */
  'pipelineId': (string);
  /**
   * Replay the retained events with a larger sequence number first (0 = all retained).
   */
  'afterSeq': (number);
}
