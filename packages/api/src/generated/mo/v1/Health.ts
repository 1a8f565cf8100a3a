// Original file: proto/mo/v1/workload.proto

/**
 * How a workload's health checks stand.
 */
export const Health = {
  /**
   * it has no checks (or is not running)
   */
  HEALTH_UNSPECIFIED: 'HEALTH_UNSPECIFIED',
  /**
   * not yet passed success_threshold (nor failed failure_threshold) since it started
   */
  HEALTH_STARTING: 'HEALTH_STARTING',
  HEALTH_HEALTHY: 'HEALTH_HEALTHY',
  HEALTH_UNHEALTHY: 'HEALTH_UNHEALTHY',
} as const;

/**
 * How a workload's health checks stand.
 */
export type Health =
  /**
   * it has no checks (or is not running)
   */
  | 'HEALTH_UNSPECIFIED'
  | 0
  /**
   * not yet passed success_threshold (nor failed failure_threshold) since it started
   */
  | 'HEALTH_STARTING'
  | 1
  | 'HEALTH_HEALTHY'
  | 2
  | 'HEALTH_UNHEALTHY'
  | 3

/**
 * How a workload's health checks stand.
 */
export type Health__Output = typeof Health[keyof typeof Health]
