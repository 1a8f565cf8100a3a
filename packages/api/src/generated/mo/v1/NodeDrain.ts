// Original file: proto/mo/v1/scheduler.proto

import type { NodeDrainState as _mo_v1_NodeDrainState, NodeDrainState__Output as _mo_v1_NodeDrainState__Output } from '../../mo/v1/NodeDrainState.js';
import type { Long } from '@grpc/proto-loader';

export interface NodeDrain {
  'state'?: (_mo_v1_NodeDrainState);
  'startedAtMs'?: (number | string | Long);
  /**
   * When what still runs there is stopped (wall clock ms).
   */
  'deadlineMs'?: (number | string | Long);
  /**
   * Everything was stopped at once.
   */
  'force'?: (boolean);
  /**
   * When it ended (DRAINED), 0 while draining.
   */
  'drainedAtMs'?: (number | string | Long);
  /**
   * Still on the node (placed: starting, running, unknown): a service job's instances, a batch
   * job's instances, other workloads.
   */
  'servicesLeft'?: (number);
  'batchLeft'?: (number);
  'workloadsLeft'?: (number);
}

export interface NodeDrain__Output {
  'state': (_mo_v1_NodeDrainState__Output);
  'startedAtMs': (number);
  /**
   * When what still runs there is stopped (wall clock ms).
   */
  'deadlineMs': (number);
  /**
   * Everything was stopped at once.
   */
  'force': (boolean);
  /**
   * When it ended (DRAINED), 0 while draining.
   */
  'drainedAtMs': (number);
  /**
   * Still on the node (placed: starting, running, unknown): a service job's instances, a batch
   * job's instances, other workloads.
   */
  'servicesLeft': (number);
  'batchLeft': (number);
  'workloadsLeft': (number);
}
