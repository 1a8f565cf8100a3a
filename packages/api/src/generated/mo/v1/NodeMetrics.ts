// Original file: proto/mo/v1/node.proto

import type { Long } from '@grpc/proto-loader';

export interface NodeMetrics {
  /**
   * Whole-host CPU utilisation over the last sampling interval, 0..1 (more is refused).
   */
  'cpuUtilization'?: (number | string);
  'memoryTotalBytes'?: (number | string | Long);
  'memoryAvailableBytes'?: (number | string | Long);
  'load1'?: (number | string);
  'load5'?: (number | string);
  'load15'?: (number | string);
  'sampledAtMs'?: (number | string | Long);
}

export interface NodeMetrics__Output {
  /**
   * Whole-host CPU utilisation over the last sampling interval, 0..1 (more is refused).
   */
  'cpuUtilization': (number);
  'memoryTotalBytes': (number);
  'memoryAvailableBytes': (number);
  'load1': (number);
  'load5': (number);
  'load15': (number);
  'sampledAtMs': (number);
}
