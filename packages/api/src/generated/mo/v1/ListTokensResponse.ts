// Original file: proto/mo/v1/token.proto

import type { Token as _mo_v1_Token, Token__Output as _mo_v1_Token__Output } from '../../mo/v1/Token.js';

export interface ListTokensResponse {
  'tokens'?: (_mo_v1_Token)[];
  /**
   * Empty on the last page.
   */
  'nextPageToken'?: (string);
  /**
   * Token records in all, across every page.
   */
  'total'?: (number);
}

export interface ListTokensResponse__Output {
  'tokens': (_mo_v1_Token__Output)[];
  /**
   * Empty on the last page.
   */
  'nextPageToken': (string);
  /**
   * Token records in all, across every page.
   */
  'total': (number);
}
