// Original file: proto/mo/v1/scheduler.proto

import type { Long } from '@grpc/proto-loader';

/**
 * Retention: the scheduler keeps the last events in memory, at most 10,000 (--events-retained),
 * 64 MiB encoded and 1 h old; they do not survive a restart. Sequence numbers are never reused,
 * also across restarts (they are reserved in blocks in the store), so after a restart a resume
 * from an earlier seq is refused with OUT_OF_RANGE and the client relists.
 */
export interface WatchRequest {
  /**
   * Only this workload's events (empty = everything; at most 128 characters).
   */
  'workloadId'?: (string);
  /**
   * Send the workload's (or every node's and workload's, at most 10,000 workloads) current state
   * first, as events with snapshot set. Not with after_seq or replay_retained.
   */
  'initialState'?: (boolean);
  /**
   * Replay the retained events with a larger seq first, then go live (0 = no replay: live only).
   * Older than the retention window (events after it were dropped) or larger than the latest
   * seq: OUT_OF_RANGE, naming the oldest retained and the latest seq.
   */
  'afterSeq'?: (number | string | Long);
  /**
   * Replay every retained event first (after_seq must be 0).
   */
  'replayRetained'?: (boolean);
  /**
   * Also pipeline events (ClusterEvent.pipeline), numbered on this sequence. Off by default, so
   * a client that knows only workloads and nodes sees only them (and skips their seqs).
   */
  'includePipelines'?: (boolean);
  /**
   * Only this pipeline's events (implies include_pipelines; no workloads or nodes). Not with
   * workload_id.
   */
  'pipelineId'?: (string);
  /**
   * Also job events (ClusterEvent.job): a job's version, deployment or set of healthy instances
   * changed. Off by default, like pipelines.
   */
  'includeJobs'?: (boolean);
  /**
   * Only this job's events (implies include_jobs; no workloads, nodes or pipelines). Not with
   * workload_id or pipeline_id.
   */
  'job'?: (string);
}

/**
 * Retention: the scheduler keeps the last events in memory, at most 10,000 (--events-retained),
 * 64 MiB encoded and 1 h old; they do not survive a restart. Sequence numbers are never reused,
 * also across restarts (they are reserved in blocks in the store), so after a restart a resume
 * from an earlier seq is refused with OUT_OF_RANGE and the client relists.
 */
export interface WatchRequest__Output {
  /**
   * Only this workload's events (empty = everything; at most 128 characters).
   */
  'workloadId': (string);
  /**
   * Send the workload's (or every node's and workload's, at most 10,000 workloads) current state
   * first, as events with snapshot set. Not with after_seq or replay_retained.
   */
  'initialState': (boolean);
  /**
   * Replay the retained events with a larger seq first, then go live (0 = no replay: live only).
   * Older than the retention window (events after it were dropped) or larger than the latest
   * seq: OUT_OF_RANGE, naming the oldest retained and the latest seq.
   */
  'afterSeq': (number);
  /**
   * Replay every retained event first (after_seq must be 0).
   */
  'replayRetained': (boolean);
  /**
   * Also pipeline events (ClusterEvent.pipeline), numbered on this sequence. Off by default, so
   * a client that knows only workloads and nodes sees only them (and skips their seqs).
   */
  'includePipelines': (boolean);
  /**
   * Only this pipeline's events (implies include_pipelines; no workloads or nodes). Not with
   * workload_id.
   */
  'pipelineId': (string);
  /**
   * Also job events (ClusterEvent.job): a job's version, deployment or set of healthy instances
   * changed. Off by default, like pipelines.
   */
  'includeJobs': (boolean);
  /**
   * Only this job's events (implies include_jobs; no workloads, nodes or pipelines). Not with
   * workload_id or pipeline_id.
   */
  'job': (string);
}
