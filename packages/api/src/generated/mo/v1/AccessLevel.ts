// Original file: proto/mo/v1/token.proto

/**
 * What a client may do; each level includes the ones before it.
 */
export const AccessLevel = {
  /**
   * refused where an access is needed
   */
  ACCESS_LEVEL_UNSPECIFIED: 'ACCESS_LEVEL_UNSPECIFIED',
  /**
   * get, list, watch, logs, cluster status, artifact download
   */
  ACCESS_LEVEL_READ: 'ACCESS_LEVEL_READ',
  /**
   * + submit, stop, pipelines submit/cancel/approve/reject
   */
  ACCESS_LEVEL_OPERATE: 'ACCESS_LEVEL_OPERATE',
  /**
   * + tokens, node removal
   */
  ACCESS_LEVEL_ADMIN: 'ACCESS_LEVEL_ADMIN',
} as const;

/**
 * What a client may do; each level includes the ones before it.
 */
export type AccessLevel =
  /**
   * refused where an access is needed
   */
  | 'ACCESS_LEVEL_UNSPECIFIED'
  | 0
  /**
   * get, list, watch, logs, cluster status, artifact download
   */
  | 'ACCESS_LEVEL_READ'
  | 1
  /**
   * + submit, stop, pipelines submit/cancel/approve/reject
   */
  | 'ACCESS_LEVEL_OPERATE'
  | 2
  /**
   * + tokens, node removal
   */
  | 'ACCESS_LEVEL_ADMIN'
  | 3

/**
 * What a client may do; each level includes the ones before it.
 */
export type AccessLevel__Output = typeof AccessLevel[keyof typeof AccessLevel]
