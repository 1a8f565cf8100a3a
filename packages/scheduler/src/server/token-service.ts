// The Tokens gRPC service (admin access, enforced by the server's guard before these run): thin
// handlers over the TokenTable. The caller's identity is recorded as creator or revoker.
import * as grpc from '@grpc/grpc-js';
import {
  countedUnary,
  decodePageToken,
  describeIdentity,
  encodePageToken,
  fillPage,
  identityOf,
  moProto,
  parsePageSize,
  repeatedEntrySize,
  type Access,
  type AccessLevel,
  type Token,
  type TokensHandlers,
} from '@mo/api';
import type { TokenRecord } from '../tokens/rules.js';
import type { TokenTable } from '../tokens/token-table.js';

const ACCESS_ENUM: Record<Access, AccessLevel> = {
  read: 'ACCESS_LEVEL_READ',
  operate: 'ACCESS_LEVEL_OPERATE',
  admin: 'ACCESS_LEVEL_ADMIN',
};
const ACCESS_NAMES = new Map<string, Access>(Object.entries(ACCESS_ENUM).map(([k, v]) => [v as string, k as Access]));

export interface TokenServiceContext {
  tokens: TokenTable;
  onRequest?: (method: string, code: string) => void;
}

/** The caller as recorded on a token ("insecure" where no guard identified it). */
function callerOf(call: { metadata: grpc.Metadata }): string {
  const identity = identityOf(call);
  return identity ? describeIdentity(identity) : 'insecure';
}

export class TokenService {
  constructor(private readonly ctx: TokenServiceContext) {}

  addToServer(server: grpc.Server): void {
    server.addService(moProto().mo.v1.Tokens.service, this.handlers());
  }

  toToken(t: TokenRecord): Token {
    return {
      id: t.id,
      name: t.name,
      access: ACCESS_ENUM[t.access],
      createdAtMs: t.createdAtMs,
      createdBy: t.createdBy,
      expiresAtMs: t.expiresAtMs,
      revokedAtMs: t.revokedAtMs,
      revokedBy: t.revokedBy,
      state: this.ctx.tokens.stateOf(t),
    };
  }

  private handlers(): TokensHandlers {
    const { tokens } = this.ctx;
    const counted = countedUnary(this.ctx.onRequest);
    return {
      CreateToken: counted('CreateToken', async (req, call) => {
        const access = ACCESS_NAMES.get(String(req.access));
        const { record, text } = await tokens.create({ name: req.name, access, ttlMs: req.ttlMs }, callerOf(call));
        return { token: this.toToken(record), secret: text };
      }),
      ListTokens: counted('ListTokens', (req) => {
        const [before] = decodePageToken('tokens', req.pageToken, ['string']) ?? [];
        const page = fillPage(
          tokens.newestFirst(before as string | undefined),
          (t) => this.toToken(t),
          (m) => repeatedEntrySize('Token', m),
          { pageSize: parsePageSize(req) },
        );
        return {
          tokens: page.items,
          nextPageToken: page.more ? encodePageToken('tokens', [page.last!.id]) : '',
          total: tokens.size,
        };
      }),
      RevokeToken: counted('RevokeToken', async (req, call) => ({
        token: this.toToken(await tokens.revoke(req.token, callerOf(call))),
      })),
    };
  }
}
