// Original file: proto/mo/v1/token.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { CreateTokenRequest as _mo_v1_CreateTokenRequest, CreateTokenRequest__Output as _mo_v1_CreateTokenRequest__Output } from '../../mo/v1/CreateTokenRequest.js';
import type { CreateTokenResponse as _mo_v1_CreateTokenResponse, CreateTokenResponse__Output as _mo_v1_CreateTokenResponse__Output } from '../../mo/v1/CreateTokenResponse.js';
import type { ListTokensRequest as _mo_v1_ListTokensRequest, ListTokensRequest__Output as _mo_v1_ListTokensRequest__Output } from '../../mo/v1/ListTokensRequest.js';
import type { ListTokensResponse as _mo_v1_ListTokensResponse, ListTokensResponse__Output as _mo_v1_ListTokensResponse__Output } from '../../mo/v1/ListTokensResponse.js';
import type { RevokeTokenRequest as _mo_v1_RevokeTokenRequest, RevokeTokenRequest__Output as _mo_v1_RevokeTokenRequest__Output } from '../../mo/v1/RevokeTokenRequest.js';
import type { RevokeTokenResponse as _mo_v1_RevokeTokenResponse, RevokeTokenResponse__Output as _mo_v1_RevokeTokenResponse__Output } from '../../mo/v1/RevokeTokenResponse.js';

export interface TokensClient extends grpc.Client {
  /**
   * Makes a token. The response is the only place its text ever appears.
   */
  CreateToken(argument: _mo_v1_CreateTokenRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mo_v1_CreateTokenResponse__Output>): grpc.ClientUnaryCall;
  CreateToken(argument: _mo_v1_CreateTokenRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_mo_v1_CreateTokenResponse__Output>): grpc.ClientUnaryCall;
  CreateToken(argument: _mo_v1_CreateTokenRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_mo_v1_CreateTokenResponse__Output>): grpc.ClientUnaryCall;
  CreateToken(argument: _mo_v1_CreateTokenRequest, callback: grpc.requestCallback<_mo_v1_CreateTokenResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Makes a token. The response is the only place its text ever appears.
   */
  createToken(argument: _mo_v1_CreateTokenRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mo_v1_CreateTokenResponse__Output>): grpc.ClientUnaryCall;
  createToken(argument: _mo_v1_CreateTokenRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_mo_v1_CreateTokenResponse__Output>): grpc.ClientUnaryCall;
  createToken(argument: _mo_v1_CreateTokenRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_mo_v1_CreateTokenResponse__Output>): grpc.ClientUnaryCall;
  createToken(argument: _mo_v1_CreateTokenRequest, callback: grpc.requestCallback<_mo_v1_CreateTokenResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * Tokens newest first, paged like the other lists; never secrets.
   */
  ListTokens(argument: _mo_v1_ListTokensRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mo_v1_ListTokensResponse__Output>): grpc.ClientUnaryCall;
  ListTokens(argument: _mo_v1_ListTokensRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_mo_v1_ListTokensResponse__Output>): grpc.ClientUnaryCall;
  ListTokens(argument: _mo_v1_ListTokensRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_mo_v1_ListTokensResponse__Output>): grpc.ClientUnaryCall;
  ListTokens(argument: _mo_v1_ListTokensRequest, callback: grpc.requestCallback<_mo_v1_ListTokensResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Tokens newest first, paged like the other lists; never secrets.
   */
  listTokens(argument: _mo_v1_ListTokensRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mo_v1_ListTokensResponse__Output>): grpc.ClientUnaryCall;
  listTokens(argument: _mo_v1_ListTokensRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_mo_v1_ListTokensResponse__Output>): grpc.ClientUnaryCall;
  listTokens(argument: _mo_v1_ListTokensRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_mo_v1_ListTokensResponse__Output>): grpc.ClientUnaryCall;
  listTokens(argument: _mo_v1_ListTokensRequest, callback: grpc.requestCallback<_mo_v1_ListTokensResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * Revokes a token, by id or name: from then on a call with it is UNAUTHENTICATED. A revoked
   * token stays listed until it is pushed out by newer ones (see Token).
   */
  RevokeToken(argument: _mo_v1_RevokeTokenRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mo_v1_RevokeTokenResponse__Output>): grpc.ClientUnaryCall;
  RevokeToken(argument: _mo_v1_RevokeTokenRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_mo_v1_RevokeTokenResponse__Output>): grpc.ClientUnaryCall;
  RevokeToken(argument: _mo_v1_RevokeTokenRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_mo_v1_RevokeTokenResponse__Output>): grpc.ClientUnaryCall;
  RevokeToken(argument: _mo_v1_RevokeTokenRequest, callback: grpc.requestCallback<_mo_v1_RevokeTokenResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Revokes a token, by id or name: from then on a call with it is UNAUTHENTICATED. A revoked
   * token stays listed until it is pushed out by newer ones (see Token).
   */
  revokeToken(argument: _mo_v1_RevokeTokenRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mo_v1_RevokeTokenResponse__Output>): grpc.ClientUnaryCall;
  revokeToken(argument: _mo_v1_RevokeTokenRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_mo_v1_RevokeTokenResponse__Output>): grpc.ClientUnaryCall;
  revokeToken(argument: _mo_v1_RevokeTokenRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_mo_v1_RevokeTokenResponse__Output>): grpc.ClientUnaryCall;
  revokeToken(argument: _mo_v1_RevokeTokenRequest, callback: grpc.requestCallback<_mo_v1_RevokeTokenResponse__Output>): grpc.ClientUnaryCall;
  
}

export interface TokensHandlers extends grpc.UntypedServiceImplementation {
  /**
   * Makes a token. The response is the only place its text ever appears.
   */
  CreateToken: grpc.handleUnaryCall<_mo_v1_CreateTokenRequest__Output, _mo_v1_CreateTokenResponse>;
  
  /**
   * Tokens newest first, paged like the other lists; never secrets.
   */
  ListTokens: grpc.handleUnaryCall<_mo_v1_ListTokensRequest__Output, _mo_v1_ListTokensResponse>;
  
  /**
   * Revokes a token, by id or name: from then on a call with it is UNAUTHENTICATED. A revoked
   * token stays listed until it is pushed out by newer ones (see Token).
   */
  RevokeToken: grpc.handleUnaryCall<_mo_v1_RevokeTokenRequest__Output, _mo_v1_RevokeTokenResponse>;
  
}

export interface TokensDefinition extends grpc.ServiceDefinition {
  CreateToken: MethodDefinition<_mo_v1_CreateTokenRequest, _mo_v1_CreateTokenResponse, _mo_v1_CreateTokenRequest__Output, _mo_v1_CreateTokenResponse__Output>
  ListTokens: MethodDefinition<_mo_v1_ListTokensRequest, _mo_v1_ListTokensResponse, _mo_v1_ListTokensRequest__Output, _mo_v1_ListTokensResponse__Output>
  RevokeToken: MethodDefinition<_mo_v1_RevokeTokenRequest, _mo_v1_RevokeTokenResponse, _mo_v1_RevokeTokenRequest__Output, _mo_v1_RevokeTokenResponse__Output>
}
