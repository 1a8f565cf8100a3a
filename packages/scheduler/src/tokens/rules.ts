// The rules of bearer tokens, as pure functions of (records, request, now): what a valid create
// request is, what state a token is in, whether a token text is good now, which record makes room
// at the limit, and which token a revoke names. The TokenTable (token-table.ts) applies them.
import {
  InvalidArgumentError,
  NAME_RE,
  formatToken,
  isAccess,
  parseToken,
  quote,
  secretMatches,
  type Access,
  type Identity,
  type TokenCheck,
} from '@mo/api';

/** Token records kept at most, revoked and expired ones included (see pickEvictable). */
export const MAX_TOKENS = 1000;
/** Longest ttl a token may be made with: ten years. */
export const MAX_TOKEN_TTL_MS = 10 * 365 * 24 * 60 * 60 * 1000;
/** Compared against when a token's id is unknown (no secret hashes to it). */
const NO_SUCH_HASH = '0'.repeat(64);
/** The admin token the scheduler makes on its first start (Nomad's `acl bootstrap`). */
export const BOOTSTRAP_TOKEN_NAME = 'bootstrap';

/** One token as stored (kind 'token', id = record id). Never the secret: its SHA-256 only. */
export interface TokenRecord {
  id: string;
  name: string;
  access: Access;
  /** SHA-256 of the secret, hex. */
  secretSha256: string;
  createdAtMs: number;
  /** describeIdentity of the creator ("scheduler" for the bootstrap token). */
  createdBy: string;
  /** 0 = never. */
  expiresAtMs: number;
  /** 0 = not revoked. */
  revokedAtMs: number;
  revokedBy: string;
}

export type TokenState = 'active' | 'expired' | 'revoked';

export function tokenState(t: TokenRecord, nowMs: number): TokenState {
  if (t.revokedAtMs > 0) return 'revoked';
  if (t.expiresAtMs > 0 && t.expiresAtMs <= nowMs) return 'expired';
  return 'active';
}

export function identityOfToken(t: TokenRecord): Identity {
  return { kind: 'token', name: t.name, access: t.access, tokenId: t.id };
}

export interface CreateRequest {
  name: string;
  access: Access;
  /** 0 = never expires. */
  ttlMs: number;
}

/** Checks a create request's fields; every error names its field. `access` may be unknown input. */
export function validateCreate(req: { name: string; access: unknown; ttlMs: number }): CreateRequest {
  if (!req.name) throw new InvalidArgumentError('name', 'is required');
  if (!NAME_RE.test(req.name)) {
    throw new InvalidArgumentError('name', `must match ${NAME_RE.source}, got ${quote(req.name)}`);
  }
  if (!isAccess(req.access)) throw new InvalidArgumentError('access', 'must be read, operate or admin');
  if (!Number.isSafeInteger(req.ttlMs) || req.ttlMs < 0 || req.ttlMs > MAX_TOKEN_TTL_MS) {
    throw new InvalidArgumentError(
      'ttl_ms',
      `must be 0 (never expires) to ${MAX_TOKEN_TTL_MS} (10 years), got ${String(req.ttlMs).slice(0, 32)}`,
    );
  }
  return { name: req.name, access: req.access, ttlMs: req.ttlMs };
}

/** The token named `name` that is not revoked (names are unique among those), if any. */
export function unrevokedByName(records: Iterable<TokenRecord>, name: string): TokenRecord | undefined {
  for (const t of records) if (t.name === name && t.revokedAtMs === 0) return t;
  return undefined;
}

/**
 * The record to drop so one more fits when `records` are at the limit: the revoked or expired
 * one that ended first (then the oldest made). Undefined when every one is active.
 */
export function pickEvictable(records: Iterable<TokenRecord>, nowMs: number): TokenRecord | undefined {
  let best: TokenRecord | undefined;
  let bestEnd = Infinity;
  for (const t of records) {
    const state = tokenState(t, nowMs);
    if (state === 'active') continue;
    const end = state === 'revoked' ? t.revokedAtMs : t.expiresAtMs;
    if (end < bestEnd || (end === bestEnd && best && t.id < best.id)) {
      best = t;
      bestEnd = end;
    }
  }
  return best;
}

/**
 * Whether `text` is a token that is good now. The reason of a refusal never repeats the text;
 * a wrong secret reads like an unknown id, so a caller cannot learn which ids exist. Revoked and
 * expired are named only to a caller who holds the right secret.
 */
export function checkToken(lookup: (id: string) => TokenRecord | undefined, text: string, nowMs: number): TokenCheck {
  const parsed = parseToken(text);
  if (!parsed) return { refused: 'not a mo token (expected mo_<id>_<secret>)' };
  const t = lookup(parsed.id);
  // An unknown id costs the same hash and comparison as a known one: timing tells nothing either.
  if (!secretMatches(parsed.secret, t?.secretSha256 ?? NO_SUCH_HASH) || !t) return { refused: 'unknown token' };
  switch (tokenState(t, nowMs)) {
    case 'revoked':
      return { refused: `token ${t.name} was revoked at ${new Date(t.revokedAtMs).toISOString()}` };
    case 'expired':
      return { refused: `token ${t.name} expired at ${new Date(t.expiresAtMs).toISOString()}` };
    case 'active':
      return { identity: identityOfToken(t) };
  }
}

/** A new record and its text from a validated request (id and secret come from the caller). */
export function newTokenRecord(
  req: CreateRequest,
  id: string,
  secret: string,
  secretSha256: string,
  createdBy: string,
  nowMs: number,
): { record: TokenRecord; text: string } {
  return {
    record: {
      id,
      name: req.name,
      access: req.access,
      secretSha256,
      createdAtMs: nowMs,
      createdBy,
      expiresAtMs: req.ttlMs > 0 ? nowMs + req.ttlMs : 0,
      revokedAtMs: 0,
      revokedBy: '',
    },
    text: formatToken(id, secret),
  };
}

/** A stored value read back: the fields this code relies on, else undefined (skipped at load). */
export function parseTokenRecord(id: string, value: unknown): TokenRecord | undefined {
  const v = value as Partial<TokenRecord> | null;
  if (!v || typeof v !== 'object' || v.id !== id) return undefined;
  if (typeof v.name !== 'string' || !isAccess(v.access) || typeof v.secretSha256 !== 'string') return undefined;
  const num = (n: unknown) => (typeof n === 'number' && Number.isSafeInteger(n) && n >= 0 ? n : undefined);
  const createdAtMs = num(v.createdAtMs);
  const expiresAtMs = num(v.expiresAtMs);
  const revokedAtMs = num(v.revokedAtMs);
  if (createdAtMs === undefined || expiresAtMs === undefined || revokedAtMs === undefined) return undefined;
  return {
    id,
    name: v.name,
    access: v.access,
    secretSha256: v.secretSha256,
    createdAtMs,
    createdBy: typeof v.createdBy === 'string' ? v.createdBy : '',
    expiresAtMs,
    revokedAtMs,
    revokedBy: typeof v.revokedBy === 'string' ? v.revokedBy : '',
  };
}
