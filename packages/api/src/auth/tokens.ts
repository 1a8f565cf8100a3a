// Bearer tokens on the wire: the token text (`mo_<id>_<secret>`), the hash a daemon keeps instead of
// the secret, the constant-time comparison, and reading `authorization: Bearer <token>` metadata.
// Pure: where tokens are stored and looked up is the scheduler's (its tokens/ folder).
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Identity } from './identity.js';

/** Every token starts with it, so a leaked one is recognisable (secret scanners, logs). */
export const TOKEN_PREFIX = 'mo_';
/** Random bytes in a secret: 256 bits, written as 43 base64url characters. */
export const TOKEN_SECRET_BYTES = 32;
/** mo_ + a 26-character ULID + _ + 43 base64url characters. */
export const TOKEN_TEXT_LENGTH = TOKEN_PREFIX.length + 26 + 1 + 43;
/** Where in its data dir the scheduler writes its first admin token (mode 0600). */
export const BOOTSTRAP_TOKEN_FILE = 'bootstrap-token';
/** Metadata key of the bearer token (gRPC lowercases keys). */
export const AUTHORIZATION_KEY = 'authorization';

const TOKEN_RE = /^mo_([0-9A-HJKMNP-TV-Z]{26})_([A-Za-z0-9_-]{43})$/;
const SHA256_HEX_RE = /^[0-9a-f]{64}$/;

/**
 * Resolves a bearer token to its identity, synchronously and from memory (no I/O per call);
 * undefined for anything that is not a valid token now. The seam the transport's
 * `authenticate(call)` plugs tokens into.
 */
export type TokenResolver = (token: string) => Identity | undefined;

/** A token's check with the reason of a refusal (for the UNAUTHENTICATED message; never the secret). */
export type TokenCheck = { readonly identity: Identity } | { readonly refused: string };

export interface ParsedToken {
  readonly id: string;
  readonly secret: string;
}

/** A new secret: TOKEN_SECRET_BYTES from the OS's CSPRNG, base64url. */
export function newTokenSecret(): string {
  return randomBytes(TOKEN_SECRET_BYTES).toString('base64url');
}

export function formatToken(id: string, secret: string): string {
  return `${TOKEN_PREFIX}${id}_${secret}`;
}

/** The id and secret of a well-formed token text; undefined for anything else. */
export function parseToken(text: string): ParsedToken | undefined {
  if (typeof text !== 'string' || text.length !== TOKEN_TEXT_LENGTH) return undefined;
  const m = TOKEN_RE.exec(text);
  return m ? { id: m[1]!, secret: m[2]! } : undefined;
}

/** SHA-256 of the secret, hex: all a daemon stores (a secret has 256 random bits: no salt needed). */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** Whether `secret` hashes to `sha256Hex`, compared in constant time. */
export function secretMatches(secret: string, sha256Hex: string): boolean {
  if (!SHA256_HEX_RE.test(sha256Hex)) return false;
  const want = Buffer.from(sha256Hex, 'hex');
  const got = createHash('sha256').update(secret, 'utf8').digest();
  return timingSafeEqual(got, want);
}

/** Longest `authorization` value read: far above a token, far below anything costly. */
const MAX_AUTHORIZATION_CHARS = 1024;

/**
 * The bearer token in a call's `authorization` metadata values: undefined when there is none,
 * `{ token }` for exactly one `Bearer <token>`, `{ error }` for anything else (the error never
 * repeats the value: it may be a secret in the wrong place).
 */
export function bearerToken(values: readonly unknown[]): { token: string } | { error: string } | undefined {
  if (values.length === 0) return undefined;
  if (values.length > 1) return { error: `${AUTHORIZATION_KEY}: sent ${values.length} times, expected once` };
  const v = values[0];
  if (typeof v !== 'string') return { error: `${AUTHORIZATION_KEY}: expected text, got binary metadata` };
  if (v.length > MAX_AUTHORIZATION_CHARS) {
    return { error: `${AUTHORIZATION_KEY}: ${v.length} characters, at most ${MAX_AUTHORIZATION_CHARS}` };
  }
  const m = /^Bearer +(\S+) *$/i.exec(v);
  if (!m) return { error: `${AUTHORIZATION_KEY}: expected "Bearer <token>"` };
  return { token: m[1]! };
}
