// Original file: proto/mo/v1/workload.proto

/**
 * A workload's (or a pipeline's) place in the queue.
 */
export const Priority = {
  /**
   * normal
   */
  PRIORITY_UNSPECIFIED: 'PRIORITY_UNSPECIFIED',
  PRIORITY_LOW: 'PRIORITY_LOW',
  PRIORITY_NORMAL: 'PRIORITY_NORMAL',
  PRIORITY_HIGH: 'PRIORITY_HIGH',
} as const;

/**
 * A workload's (or a pipeline's) place in the queue.
 */
export type Priority =
  /**
   * normal
   */
  | 'PRIORITY_UNSPECIFIED'
  | 0
  | 'PRIORITY_LOW'
  | 1
  | 'PRIORITY_NORMAL'
  | 2
  | 'PRIORITY_HIGH'
  | 3

/**
 * A workload's (or a pipeline's) place in the queue.
 */
export type Priority__Output = typeof Priority[keyof typeof Priority]
