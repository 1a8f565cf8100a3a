// Original file: proto/mo/v1/registry.proto

import type { Long } from '@grpc/proto-loader';

export interface RegisterResponse {
  'nodeId'?: (string);
  'heartbeatIntervalMs'?: (number | string | Long);
  'downAfterMs'?: (number | string | Long);
  /**
   * Allocations the agent must stop: replaced while it was away, or unknown to the scheduler
   * (of this page; each SyncInventory answer names those of its own page).
   */
  'stopAllocationIds'?: (string)[];
  /**
   * Names this registration in SyncInventory; set when the request said inventory_follows.
   */
  'registrationId'?: (string);
  /**
   * The answering leader's epoch (several schedulers on etcd: its leader key's create revision;
   * 0 for a single scheduler). An agent keeps the highest it has seen and takes no orders from a
   * lower one: a deposed leader that has not noticed yet cannot stop what its successor started.
   */
  'leaderEpoch'?: (number | string | Long);
  /**
   * The timing of a node with work (heartbeat_interval_ms and down_after_ms are this node's own,
   * slower while it has none). An agent that starts a workload beats at this interval from then
   * on, until an answer says otherwise, without a message to ask first; the scheduler gives the
   * node this down-after once the start is answered. 0: not sent (an older scheduler).
   */
  'busyHeartbeatIntervalMs'?: (number | string | Long);
  'busyDownAfterMs'?: (number | string | Long);
}

export interface RegisterResponse__Output {
  'nodeId': (string);
  'heartbeatIntervalMs': (number);
  'downAfterMs': (number);
  /**
   * Allocations the agent must stop: replaced while it was away, or unknown to the scheduler
   * (of this page; each SyncInventory answer names those of its own page).
   */
  'stopAllocationIds': (string)[];
  /**
   * Names this registration in SyncInventory; set when the request said inventory_follows.
   */
  'registrationId': (string);
  /**
   * The answering leader's epoch (several schedulers on etcd: its leader key's create revision;
   * 0 for a single scheduler). An agent keeps the highest it has seen and takes no orders from a
   * lower one: a deposed leader that has not noticed yet cannot stop what its successor started.
   */
  'leaderEpoch': (number);
  /**
   * The timing of a node with work (heartbeat_interval_ms and down_after_ms are this node's own,
   * slower while it has none). An agent that starts a workload beats at this interval from then
   * on, until an answer says otherwise, without a message to ask first; the scheduler gives the
   * node this down-after once the start is answered. 0: not sent (an older scheduler).
   */
  'busyHeartbeatIntervalMs': (number);
  'busyDownAfterMs': (number);
}
