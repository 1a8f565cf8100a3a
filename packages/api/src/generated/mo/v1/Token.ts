// Original file: proto/mo/v1/token.proto

import type { AccessLevel as _mo_v1_AccessLevel, AccessLevel__Output as _mo_v1_AccessLevel__Output } from '../../mo/v1/AccessLevel.js';
import type { Long } from '@grpc/proto-loader';

/**
 * A token as the scheduler keeps it: at most 1,000 records in all. Making one more at the limit
 * drops the oldest revoked or expired record; with none to drop it is RESOURCE_EXHAUSTED.
 */
export interface Token {
  /**
   * A ULID, also inside the token's text.
   */
  'id'?: (string);
  /**
   * Unique among tokens not revoked (an expired one keeps its name until revoked).
   */
  'name'?: (string);
  'access'?: (_mo_v1_AccessLevel);
  'createdAtMs'?: (number | string | Long);
  /**
   * Who made it (the identity, as in audit lines: "token:ops", "client:alice"; "scheduler" for
   * the bootstrap token).
   */
  'createdBy'?: (string);
  /**
   * 0 = never.
   */
  'expiresAtMs'?: (number | string | Long);
  /**
   * 0 = not revoked.
   */
  'revokedAtMs'?: (number | string | Long);
  'revokedBy'?: (string);
  /**
   * "active", "expired" or "revoked", as of the response.
   */
  'state'?: (string);
}

/**
 * A token as the scheduler keeps it: at most 1,000 records in all. Making one more at the limit
 * drops the oldest revoked or expired record; with none to drop it is RESOURCE_EXHAUSTED.
 */
export interface Token__Output {
  /**
   * A ULID, also inside the token's text.
   */
  'id': (string);
  /**
   * Unique among tokens not revoked (an expired one keeps its name until revoked).
   */
  'name': (string);
  'access': (_mo_v1_AccessLevel__Output);
  'createdAtMs': (number);
  /**
   * Who made it (the identity, as in audit lines: "token:ops", "client:alice"; "scheduler" for
   * the bootstrap token).
   */
  'createdBy': (string);
  /**
   * 0 = never.
   */
  'expiresAtMs': (number);
  /**
   * 0 = not revoked.
   */
  'revokedAtMs': (number);
  'revokedBy': (string);
  /**
   * "active", "expired" or "revoked", as of the response.
   */
  'state': (string);
}
