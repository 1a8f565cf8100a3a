// Original file: proto/mo/v1/token.proto

import type { Token as _mo_v1_Token, Token__Output as _mo_v1_Token__Output } from '../../mo/v1/Token.js';

export interface CreateTokenResponse {
  'token'?: (_mo_v1_Token | null);
  /**
   * The text to send as `authorization: Bearer <secret>`: mo_<id>_<secret>. Shown only here.
   */
  'secret'?: (string);
}

export interface CreateTokenResponse__Output {
  'token': (_mo_v1_Token__Output | null);
  /**
   * The text to send as `authorization: Bearer <secret>`: mo_<id>_<secret>. Shown only here.
   */
  'secret': (string);
}
