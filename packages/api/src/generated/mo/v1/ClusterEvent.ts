// Original file: proto/mo/v1/scheduler.proto

import type { ScheduledWorkload as _mo_v1_ScheduledWorkload, ScheduledWorkload__Output as _mo_v1_ScheduledWorkload__Output } from '../../mo/v1/ScheduledWorkload.js';
import type { Node as _mo_v1_Node, Node__Output as _mo_v1_Node__Output } from '../../mo/v1/Node.js';
import type { PipelineEvent as _mo_v1_PipelineEvent, PipelineEvent__Output as _mo_v1_PipelineEvent__Output } from '../../mo/v1/PipelineEvent.js';
import type { JobEvent as _mo_v1_JobEvent, JobEvent__Output as _mo_v1_JobEvent__Output } from '../../mo/v1/JobEvent.js';
import type { Long } from '@grpc/proto-loader';

export interface ClusterEvent {
  /**
   * The cluster-wide sequence: +1 per published event (workload, node or pipeline), so an
   * unfiltered stream with include_pipelines sees no gaps (without it, the pipeline events' seqs
   * are skipped; a workload_id filter sees that workload's subsequence). On a snapshot event it is the seq the
   * live events follow (the state includes at least the events up to it; a live event the
   * snapshot entry already showed is not sent again); on caught_up, the last seq sent or skipped.
   * A client resumes with after_seq = the last seq it received.
   */
  'seq'?: (number | string | Long);
  'atMs'?: (number | string | Long);
  'workload'?: (_mo_v1_ScheduledWorkload | null);
  'node'?: (_mo_v1_Node | null);
  /**
   * Current state sent for initial_state, not a change.
   */
  'snapshot'?: (boolean);
  /**
   * No workload, node or pipeline: the replay (or snapshot) is complete; what follows is live.
   */
  'caughtUp'?: (boolean);
  /**
   * A pipeline's or a step's change, only on a stream with include_pipelines. Its own seq is
   * WatchPipelines' sequence; this event's seq is the cluster's.
   */
  'pipeline'?: (_mo_v1_PipelineEvent | null);
  /**
   * A job's change, only on a stream with include_jobs (or job).
   */
  'job'?: (_mo_v1_JobEvent | null);
  'event'?: "workload"|"node"|"pipeline"|"job";
}

export interface ClusterEvent__Output {
  /**
   * The cluster-wide sequence: +1 per published event (workload, node or pipeline), so an
   * unfiltered stream with include_pipelines sees no gaps (without it, the pipeline events' seqs
   * are skipped; a workload_id filter sees that workload's subsequence). On a snapshot event it is the seq the
   * live events follow (the state includes at least the events up to it; a live event the
   * snapshot entry already showed is not sent again); on caught_up, the last seq sent or skipped.
   * A client resumes with after_seq = the last seq it received.
   */
  'seq': (number);
  'atMs': (number);
  'workload'?: (_mo_v1_ScheduledWorkload__Output | null);
  'node'?: (_mo_v1_Node__Output | null);
  /**
   * Current state sent for initial_state, not a change.
   */
  'snapshot': (boolean);
  /**
   * No workload, node or pipeline: the replay (or snapshot) is complete; what follows is live.
   */
  'caughtUp': (boolean);
  /**
   * A pipeline's or a step's change, only on a stream with include_pipelines. Its own seq is
   * WatchPipelines' sequence; this event's seq is the cluster's.
   */
  'pipeline'?: (_mo_v1_PipelineEvent__Output | null);
  /**
   * A job's change, only on a stream with include_jobs (or job).
   */
  'job'?: (_mo_v1_JobEvent__Output | null);
  'event'?: "workload"|"node"|"pipeline"|"job";
}
