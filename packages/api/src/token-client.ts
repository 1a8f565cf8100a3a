// Client for the scheduler's Tokens service (admin access): make, list and revoke bearer tokens.
import { BaseClient, type ClientOptions } from './base-client.js';
import type { CreateTokenRequest } from './generated/mo/v1/CreateTokenRequest.js';
import type { CreateTokenResponse__Output } from './generated/mo/v1/CreateTokenResponse.js';
import type { ListTokensRequest } from './generated/mo/v1/ListTokensRequest.js';
import type { ListTokensResponse__Output } from './generated/mo/v1/ListTokensResponse.js';
import type { RevokeTokenResponse__Output } from './generated/mo/v1/RevokeTokenResponse.js';
import type { TokensClient as RawTokensClient } from './generated/mo/v1/Tokens.js';
import { channelOptions } from './grpc-options.js';
import { followPages } from './paging/follow.js';
import { moProto } from './proto.js';

export class TokenClient extends BaseClient<RawTokensClient> {
  /** `address`: one scheduler, or several (`"a:1,b:2"` or a list): calls follow the leader. */
  constructor(address: string | readonly string[], options: ClientOptions) {
    const Ctor = moProto().mo.v1.Tokens;
    super(address, (a, creds, extra) => new Ctor(a, creds, { ...channelOptions(), ...extra }), options, {
      kind: 'scheduler',
    });
  }

  /** Makes a token; `secret` in the response is its text, shown this once. */
  create(req: CreateTokenRequest): Promise<CreateTokenResponse__Output> {
    return this.call(this.raw.createToken, req);
  }

  /** One page, newest first (see `listAll`). */
  list(req: ListTokensRequest = {}): Promise<ListTokensResponse__Output> {
    return this.call(this.raw.listTokens, req);
  }

  /** Every token record, newest first, at most `max` (follows next_page_token). */
  async listAll(max = Infinity): Promise<ListTokensResponse__Output> {
    const r = await followPages(
      (pageToken, pageSize) => this.list({ pageToken, pageSize }),
      (res) => res.tokens,
      max,
    );
    return { ...r.first, tokens: r.items, nextPageToken: r.nextPageToken };
  }

  /** Revokes a token by id, or by the name of a token that is not revoked. */
  revoke(token: string): Promise<RevokeTokenResponse__Output> {
    return this.call(this.raw.revokeToken, { token });
  }
}
