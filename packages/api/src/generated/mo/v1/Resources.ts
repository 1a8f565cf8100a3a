// Original file: proto/mo/v1/workload.proto

import type { Long } from '@grpc/proto-loader';

/**
 * Declared resources: what placement reserves. Enforcement is the driver's job.
 */
export interface Resources {
  /**
   * CPU in millicores (1000 = one core).
   */
  'cpuMillis'?: (number | string | Long);
  'memoryBytes'?: (number | string | Long);
}

/**
 * Declared resources: what placement reserves. Enforcement is the driver's job.
 */
export interface Resources__Output {
  /**
   * CPU in millicores (1000 = one core).
   */
  'cpuMillis': (number);
  'memoryBytes': (number);
}
