// Original file: proto/mo/v1/scheduler.proto

import type { Node as _mo_v1_Node, Node__Output as _mo_v1_Node__Output } from '../../mo/v1/Node.js';
import type { ScheduledWorkload as _mo_v1_ScheduledWorkload, ScheduledWorkload__Output as _mo_v1_ScheduledWorkload__Output } from '../../mo/v1/ScheduledWorkload.js';
import type { Long } from '@grpc/proto-loader';

/**
 * Both lists are bounded (nodes to ~1 MiB, the whole to ~2 MiB encoded, and by count); what does
 * not fit is continued with ListNodes (nodes_next_page_token) and ListWorkloads with omit_events
 * (recent_next_page_token).
 */
export interface ClusterStatus {
  /**
   * The first nodes by name.
   */
  'nodes'?: (_mo_v1_Node)[];
  /**
   * Workload counts by state name ("running" -> 3).
   */
  'workloadCounts'?: ({[key: string]: number});
  'recent'?: (_mo_v1_ScheduledWorkload)[];
  'queueDepth'?: (number);
  'schedulerVersion'?: (string);
  'startedAtMs'?: (number | string | Long);
  /**
   * Registered nodes in all (may exceed the number in nodes).
   */
  'nodesTotal'?: (number);
  /**
   * A ListNodes page_token for the nodes after these; empty = none left out.
   */
  'nodesNextPageToken'?: (string);
  /**
   * A ListWorkloads page_token for the workloads after recent; empty = no more workloads.
   */
  'recentNextPageToken'?: (string);
}

/**
 * Both lists are bounded (nodes to ~1 MiB, the whole to ~2 MiB encoded, and by count); what does
 * not fit is continued with ListNodes (nodes_next_page_token) and ListWorkloads with omit_events
 * (recent_next_page_token).
 */
export interface ClusterStatus__Output {
  /**
   * The first nodes by name.
   */
  'nodes': (_mo_v1_Node__Output)[];
  /**
   * Workload counts by state name ("running" -> 3).
   */
  'workloadCounts': ({[key: string]: number});
  'recent': (_mo_v1_ScheduledWorkload__Output)[];
  'queueDepth': (number);
  'schedulerVersion': (string);
  'startedAtMs': (number);
  /**
   * Registered nodes in all (may exceed the number in nodes).
   */
  'nodesTotal': (number);
  /**
   * A ListNodes page_token for the nodes after these; empty = none left out.
   */
  'nodesNextPageToken': (string);
  /**
   * A ListWorkloads page_token for the workloads after recent; empty = no more workloads.
   */
  'recentNextPageToken': (string);
}
