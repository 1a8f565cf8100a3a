// Original file: proto/mo/v1/workload.proto

import type { Long } from '@grpc/proto-loader';

/**
 * Per-workload usage measured on the node.
 */
export interface WorkloadUsage {
  'cpuPercent'?: (number | string);
  'rssBytes'?: (number | string | Long);
}

/**
 * Per-workload usage measured on the node.
 */
export interface WorkloadUsage__Output {
  'cpuPercent': (number);
  'rssBytes': (number);
}
