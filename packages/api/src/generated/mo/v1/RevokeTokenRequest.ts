// Original file: proto/mo/v1/token.proto


export interface RevokeTokenRequest {
  /**
   * The token's id, or the name of a token that is not revoked.
   */
  'token'?: (string);
}

export interface RevokeTokenRequest__Output {
  /**
   * The token's id, or the name of a token that is not revoked.
   */
  'token': (string);
}
