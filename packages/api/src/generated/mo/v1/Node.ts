// Original file: proto/mo/v1/scheduler.proto

import type { NodeState as _mo_v1_NodeState, NodeState__Output as _mo_v1_NodeState__Output } from '../../mo/v1/NodeState.js';
import type { NodeFacts as _mo_v1_NodeFacts, NodeFacts__Output as _mo_v1_NodeFacts__Output } from '../../mo/v1/NodeFacts.js';
import type { NodeMetrics as _mo_v1_NodeMetrics, NodeMetrics__Output as _mo_v1_NodeMetrics__Output } from '../../mo/v1/NodeMetrics.js';
import type { Resources as _mo_v1_Resources, Resources__Output as _mo_v1_Resources__Output } from '../../mo/v1/Resources.js';
import type { NodeDrain as _mo_v1_NodeDrain, NodeDrain__Output as _mo_v1_NodeDrain__Output } from '../../mo/v1/NodeDrain.js';
import type { Long } from '@grpc/proto-loader';

export interface Node {
  /**
   * Stable id chosen by the agent (persisted in its data dir).
   */
  'id'?: (string);
  'name'?: (string);
  /**
   * host:port where the scheduler reaches the agent's NodeAgent service.
   */
  'address'?: (string);
  'state'?: (_mo_v1_NodeState);
  'reason'?: (string);
  'eligible'?: (boolean);
  'labels'?: ({[key: string]: string});
  'facts'?: (_mo_v1_NodeFacts | null);
  'metrics'?: (_mo_v1_NodeMetrics | null);
  /**
   * Placeable capacity and what placed workloads have declared on it.
   */
  'capacity'?: (_mo_v1_Resources | null);
  'reserved'?: (_mo_v1_Resources | null);
  'workloadsRunning'?: (number);
  'registeredAtMs'?: (number | string | Long);
  'lastHeartbeatMs'?: (number | string | Long);
  /**
   * The per-node circuit breaker: consecutive failed starts, and until when it is avoided.
   */
  'startFailures'?: (number);
  'avoidUntilMs'?: (number | string | Long);
  /**
   * Its drain (DrainNode), if one is on or has ended with the node still ineligible.
   */
  'drain'?: (_mo_v1_NodeDrain | null);
}

export interface Node__Output {
  /**
   * Stable id chosen by the agent (persisted in its data dir).
   */
  'id': (string);
  'name': (string);
  /**
   * host:port where the scheduler reaches the agent's NodeAgent service.
   */
  'address': (string);
  'state': (_mo_v1_NodeState__Output);
  'reason': (string);
  'eligible': (boolean);
  'labels': ({[key: string]: string});
  'facts': (_mo_v1_NodeFacts__Output | null);
  'metrics': (_mo_v1_NodeMetrics__Output | null);
  /**
   * Placeable capacity and what placed workloads have declared on it.
   */
  'capacity': (_mo_v1_Resources__Output | null);
  'reserved': (_mo_v1_Resources__Output | null);
  'workloadsRunning': (number);
  'registeredAtMs': (number);
  'lastHeartbeatMs': (number);
  /**
   * The per-node circuit breaker: consecutive failed starts, and until when it is avoided.
   */
  'startFailures': (number);
  'avoidUntilMs': (number);
  /**
   * Its drain (DrainNode), if one is on or has ended with the node still ineligible.
   */
  'drain': (_mo_v1_NodeDrain__Output | null);
}
