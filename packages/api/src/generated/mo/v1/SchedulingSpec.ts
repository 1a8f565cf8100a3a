// Original file: proto/mo/v1/scheduler.proto

import type { Priority as _mo_v1_Priority, Priority__Output as _mo_v1_Priority__Output } from '../../mo/v1/Priority.js';
import type { RestartPolicy as _mo_v1_RestartPolicy, RestartPolicy__Output as _mo_v1_RestartPolicy__Output } from '../../mo/v1/RestartPolicy.js';
import type { PlacementStrategy as _mo_v1_PlacementStrategy, PlacementStrategy__Output as _mo_v1_PlacementStrategy__Output } from '../../mo/v1/PlacementStrategy.js';

/**
 * How and where to place a workload.
 */
export interface SchedulingSpec {
  /**
   * Node labels that must match exactly (key=value).
   */
  'constraints'?: ({[key: string]: string});
  /**
   * Pin to this node name (must exist).
   */
  'node'?: (string);
  'priority'?: (_mo_v1_Priority);
  'restart'?: (_mo_v1_RestartPolicy | null);
  'strategy'?: (_mo_v1_PlacementStrategy);
  /**
   * Batch-style work: placement scores two candidates instead of about log2(N).
   */
  'batch'?: (boolean);
}

/**
 * How and where to place a workload.
 */
export interface SchedulingSpec__Output {
  /**
   * Node labels that must match exactly (key=value).
   */
  'constraints': ({[key: string]: string});
  /**
   * Pin to this node name (must exist).
   */
  'node': (string);
  'priority': (_mo_v1_Priority__Output);
  'restart': (_mo_v1_RestartPolicy__Output | null);
  'strategy': (_mo_v1_PlacementStrategy__Output);
  /**
   * Batch-style work: placement scores two candidates instead of about log2(N).
   */
  'batch': (boolean);
}
