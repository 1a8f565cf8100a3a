// Original file: proto/mo/v1/token.proto

import type { AccessLevel as _mo_v1_AccessLevel, AccessLevel__Output as _mo_v1_AccessLevel__Output } from '../../mo/v1/AccessLevel.js';
import type { Long } from '@grpc/proto-loader';

export interface CreateTokenRequest {
  /**
   * 1-63 characters: [a-z0-9][a-z0-9._-]* (like workload names).
   */
  'name'?: (string);
  /**
   * Required.
   */
  'access'?: (_mo_v1_AccessLevel);
  /**
   * Expires this long after it is made: 0 = never; at most 10 years.
   */
  'ttlMs'?: (number | string | Long);
}

export interface CreateTokenRequest__Output {
  /**
   * 1-63 characters: [a-z0-9][a-z0-9._-]* (like workload names).
   */
  'name': (string);
  /**
   * Required.
   */
  'access': (_mo_v1_AccessLevel__Output);
  /**
   * Expires this long after it is made: 0 = never; at most 10 years.
   */
  'ttlMs': (number);
}
