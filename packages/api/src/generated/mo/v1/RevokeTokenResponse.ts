// Original file: proto/mo/v1/token.proto

import type { Token as _mo_v1_Token, Token__Output as _mo_v1_Token__Output } from '../../mo/v1/Token.js';

export interface RevokeTokenResponse {
  /**
   * The token as revoked (revoking a revoked token by id returns it unchanged).
   */
  'token'?: (_mo_v1_Token | null);
}

export interface RevokeTokenResponse__Output {
  /**
   * The token as revoked (revoking a revoked token by id returns it unchanged).
   */
  'token': (_mo_v1_Token__Output | null);
}
