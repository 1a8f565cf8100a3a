// Original file: proto/mo/v1/registry.proto

import type { Long } from '@grpc/proto-loader';

/**
 * Sent for every heartbeat message: the agent's proof that the scheduler hears it (an agent that
 * gets no answer for long enough stops the workloads it would otherwise run twice: lost_after).
 */
export interface HeartbeatResponse {
  /**
   * Send heartbeats this often from now on.
   */
  'heartbeatIntervalMs'?: (number | string | Long);
  'downAfterMs'?: (number | string | Long);
  'stopAllocationIds'?: (string)[];
  /**
   * As in RegisterResponse: a lower epoch than the agent has seen ends the stream unobeyed.
   */
  'leaderEpoch'?: (number | string | Long);
  /**
   * As in RegisterResponse (the cluster's size may have changed the busy timing since).
   */
  'busyHeartbeatIntervalMs'?: (number | string | Long);
  'busyDownAfterMs'?: (number | string | Long);
}

/**
 * Sent for every heartbeat message: the agent's proof that the scheduler hears it (an agent that
 * gets no answer for long enough stops the workloads it would otherwise run twice: lost_after).
 */
export interface HeartbeatResponse__Output {
  /**
   * Send heartbeats this often from now on.
   */
  'heartbeatIntervalMs': (number);
  'downAfterMs': (number);
  'stopAllocationIds': (string)[];
  /**
   * As in RegisterResponse: a lower epoch than the agent has seen ends the stream unobeyed.
   */
  'leaderEpoch': (number);
  /**
   * As in RegisterResponse (the cluster's size may have changed the busy timing since).
   */
  'busyHeartbeatIntervalMs': (number);
  'busyDownAfterMs': (number);
}
