// Original file: proto/mo/v1/workload.proto

import type { Long } from '@grpc/proto-loader';

/**
 * Per-workload usage measured on the node.
 */
export interface WorkloadUsage {
  /**
   * Of the whole tree of processes (its cgroup), in percent of one core.
   */
  'cpuPercent'?: (number | string);
  'rssBytes'?: (number | string | Long);
  /**
   * Processes in the tree when measured (0 if unknown).
   */
  'processes'?: (number);
}

/**
 * Per-workload usage measured on the node.
 */
export interface WorkloadUsage__Output {
  /**
   * Of the whole tree of processes (its cgroup), in percent of one core.
   */
  'cpuPercent': (number);
  'rssBytes': (number);
  /**
   * Processes in the tree when measured (0 if unknown).
   */
  'processes': (number);
}
