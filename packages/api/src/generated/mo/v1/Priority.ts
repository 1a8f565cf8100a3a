// Original file: proto/mo/v1/scheduler.proto

export const Priority = {
  /**
   * normal
   */
  PRIORITY_UNSPECIFIED: 'PRIORITY_UNSPECIFIED',
  PRIORITY_LOW: 'PRIORITY_LOW',
  PRIORITY_NORMAL: 'PRIORITY_NORMAL',
  PRIORITY_HIGH: 'PRIORITY_HIGH',
} as const;

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

export type Priority__Output = typeof Priority[keyof typeof Priority]
