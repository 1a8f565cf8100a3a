import type * as grpc from '@grpc/grpc-js';
import type { EnumTypeDefinition, MessageTypeDefinition } from '@grpc/proto-loader';

import type { CreateTokenRequest as _mo_v1_CreateTokenRequest, CreateTokenRequest__Output as _mo_v1_CreateTokenRequest__Output } from './mo/v1/CreateTokenRequest.js';
import type { CreateTokenResponse as _mo_v1_CreateTokenResponse, CreateTokenResponse__Output as _mo_v1_CreateTokenResponse__Output } from './mo/v1/CreateTokenResponse.js';
import type { ListTokensRequest as _mo_v1_ListTokensRequest, ListTokensRequest__Output as _mo_v1_ListTokensRequest__Output } from './mo/v1/ListTokensRequest.js';
import type { ListTokensResponse as _mo_v1_ListTokensResponse, ListTokensResponse__Output as _mo_v1_ListTokensResponse__Output } from './mo/v1/ListTokensResponse.js';
import type { RevokeTokenRequest as _mo_v1_RevokeTokenRequest, RevokeTokenRequest__Output as _mo_v1_RevokeTokenRequest__Output } from './mo/v1/RevokeTokenRequest.js';
import type { RevokeTokenResponse as _mo_v1_RevokeTokenResponse, RevokeTokenResponse__Output as _mo_v1_RevokeTokenResponse__Output } from './mo/v1/RevokeTokenResponse.js';
import type { Token as _mo_v1_Token, Token__Output as _mo_v1_Token__Output } from './mo/v1/Token.js';
import type { TokensClient as _mo_v1_TokensClient, TokensDefinition as _mo_v1_TokensDefinition } from './mo/v1/Tokens.js';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  mo: {
    v1: {
      AccessLevel: EnumTypeDefinition
      CreateTokenRequest: MessageTypeDefinition<_mo_v1_CreateTokenRequest, _mo_v1_CreateTokenRequest__Output>
      CreateTokenResponse: MessageTypeDefinition<_mo_v1_CreateTokenResponse, _mo_v1_CreateTokenResponse__Output>
      ListTokensRequest: MessageTypeDefinition<_mo_v1_ListTokensRequest, _mo_v1_ListTokensRequest__Output>
      ListTokensResponse: MessageTypeDefinition<_mo_v1_ListTokensResponse, _mo_v1_ListTokensResponse__Output>
      RevokeTokenRequest: MessageTypeDefinition<_mo_v1_RevokeTokenRequest, _mo_v1_RevokeTokenRequest__Output>
      RevokeTokenResponse: MessageTypeDefinition<_mo_v1_RevokeTokenResponse, _mo_v1_RevokeTokenResponse__Output>
      Token: MessageTypeDefinition<_mo_v1_Token, _mo_v1_Token__Output>
      Tokens: SubtypeConstructor<typeof grpc.Client, _mo_v1_TokensClient> & { service: _mo_v1_TokensDefinition }
    }
  }
}

