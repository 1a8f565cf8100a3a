// Original file: proto/mo/v1/scheduler.proto

export const RestartMode = {
  /**
   * never
   */
  RESTART_MODE_UNSPECIFIED: 'RESTART_MODE_UNSPECIFIED',
  RESTART_MODE_NEVER: 'RESTART_MODE_NEVER',
  /**
   * failed or lost
   */
  RESTART_MODE_ON_FAILURE: 'RESTART_MODE_ON_FAILURE',
  /**
   * any end that was not a stop request
   */
  RESTART_MODE_ALWAYS: 'RESTART_MODE_ALWAYS',
} as const;

export type RestartMode =
  /**
   * never
   */
  | 'RESTART_MODE_UNSPECIFIED'
  | 0
  | 'RESTART_MODE_NEVER'
  | 1
  /**
   * failed or lost
   */
  | 'RESTART_MODE_ON_FAILURE'
  | 2
  /**
   * any end that was not a stop request
   */
  | 'RESTART_MODE_ALWAYS'
  | 3

export type RestartMode__Output = typeof RestartMode[keyof typeof RestartMode]
