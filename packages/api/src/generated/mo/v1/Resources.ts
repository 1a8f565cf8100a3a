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
  /**
   * Host ports. A node's capacity: how many it can hand out (its port range). A workload's need
   * follows from what it publishes (spec.ports and docker.ports) and is filled in by the scheduler.
   */
  'hostPorts'?: (number);
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
  /**
   * Host ports. A node's capacity: how many it can hand out (its port range). A workload's need
   * follows from what it publishes (spec.ports and docker.ports) and is filled in by the scheduler.
   */
  'hostPorts': (number);
}
