import { describe, expect, it } from '@jest/globals';
import { formatToken, hashSecret, newTokenSecret } from '@mo/api';
import {
  MAX_TOKEN_TTL_MS,
  checkToken,
  newTokenRecord,
  parseTokenRecord,
  pickEvictable,
  tokenState,
  unrevokedByName,
  validateCreate,
  type TokenRecord,
} from './rules.js';

const ID = '01J00000000000000000000001';

function record(over: Partial<TokenRecord> = {}): TokenRecord {
  return {
    id: ID,
    name: 'ci',
    access: 'operate',
    secretSha256: hashSecret('s'),
    createdAtMs: 1000,
    createdBy: 'token:bootstrap',
    expiresAtMs: 0,
    revokedAtMs: 0,
    revokedBy: '',
    ...over,
  };
}

describe('validateCreate', () => {
  it('accepts a name, an access and a ttl (0 = never)', () => {
    expect(validateCreate({ name: 'ci-deploy.1', access: 'read', ttlMs: 0 })).toEqual({
      name: 'ci-deploy.1',
      access: 'read',
      ttlMs: 0,
    });
  });

  it.each([
    ['no name', { name: '', access: 'read', ttlMs: 0 }, /^name: is required/],
    ['an upper-case name', { name: 'CI', access: 'read', ttlMs: 0 }, /^name: must match/],
    ['a 64-character name', { name: 'a'.repeat(64), access: 'read', ttlMs: 0 }, /^name: must match/],
    ['no access', { name: 'ci', access: undefined, ttlMs: 0 }, /^access: must be read, operate or admin/],
    ['an unknown access', { name: 'ci', access: 'root', ttlMs: 0 }, /^access: /],
    ['a negative ttl', { name: 'ci', access: 'read', ttlMs: -1 }, /^ttl_ms: /],
    ['a ttl past 10 years', { name: 'ci', access: 'read', ttlMs: MAX_TOKEN_TTL_MS + 1 }, /^ttl_ms: .*10 years/],
    ['a fractional ttl', { name: 'ci', access: 'read', ttlMs: 1.5 }, /^ttl_ms: /],
  ])('refuses %s, naming the field', (_what, req, message) => {
    expect(() => validateCreate(req)).toThrow(message);
  });
});

describe('tokenState', () => {
  it('is active, expired at its expiry, or revoked (revoked wins)', () => {
    expect(tokenState(record(), 5000)).toBe('active');
    expect(tokenState(record({ expiresAtMs: 5000 }), 4999)).toBe('active');
    expect(tokenState(record({ expiresAtMs: 5000 }), 5000)).toBe('expired');
    expect(tokenState(record({ expiresAtMs: 5000, revokedAtMs: 2000 }), 9000)).toBe('revoked');
  });
});

describe('checkToken', () => {
  const secret = newTokenSecret();
  const t = record({ secretSha256: hashSecret(secret), expiresAtMs: 10_000 });
  const lookup = (id: string) => (id === ID ? t : undefined);

  it('admits the right secret of an active token as the token identity', () => {
    expect(checkToken(lookup, formatToken(ID, secret), 5000)).toEqual({
      identity: { kind: 'token', name: 'ci', access: 'operate', tokenId: ID },
    });
  });

  it('says "unknown" alike for an unknown id and a wrong secret, so ids cannot be probed', () => {
    const wrongSecret = checkToken(lookup, formatToken(ID, newTokenSecret()), 5000);
    const unknownId = checkToken(lookup, formatToken('01J00000000000000000000002', secret), 5000);
    expect(wrongSecret).toEqual({ refused: 'unknown token' });
    expect(unknownId).toEqual(wrongSecret);
  });

  it('names expiry and revocation to the holder of the secret', () => {
    expect(checkToken(lookup, formatToken(ID, secret), 10_000)).toEqual({
      refused: `token ci expired at ${new Date(10_000).toISOString()}`,
    });
    const revoked = { ...t, revokedAtMs: 7000 };
    expect(checkToken(() => revoked, formatToken(ID, secret), 8000)).toEqual({
      refused: `token ci was revoked at ${new Date(7000).toISOString()}`,
    });
  });

  it('refuses malformed text without repeating it', () => {
    const r = checkToken(lookup, 'mo_secret-looking-garbage', 0);
    expect(r).toEqual({ refused: 'not a mo token (expected mo_<id>_<secret>)' });
  });
});

describe('pickEvictable', () => {
  it('drops the record that ended first, revoked or expired; never an active one', () => {
    const records = [
      record({ id: 'A', revokedAtMs: 3000 }),
      record({ id: 'B', expiresAtMs: 2000 }),
      record({ id: 'C' }),
      record({ id: 'D', expiresAtMs: 99_000 }), // not expired yet at 10_000
    ];
    expect(pickEvictable(records, 10_000)?.id).toBe('B');
    expect(pickEvictable([records[2]!, records[3]!], 10_000)).toBeUndefined();
  });
});

describe('unrevokedByName', () => {
  it('finds the token of a name that is not revoked (expired ones keep their name)', () => {
    const records = [record({ id: 'A', revokedAtMs: 1 }), record({ id: 'B', expiresAtMs: 1 })];
    expect(unrevokedByName(records, 'ci')?.id).toBe('B');
    expect(unrevokedByName(records.slice(0, 1), 'ci')).toBeUndefined();
  });
});

describe('records', () => {
  it('makes a record that holds only the hash, and round-trips through the store format', () => {
    const made = newTokenRecord(
      { name: 'ci', access: 'admin', ttlMs: 60_000 },
      ID,
      'sekrit',
      hashSecret('sekrit'),
      'scheduler',
      1000,
    );
    expect(made.text).toBe(`mo_${ID}_sekrit`);
    expect(made.record.expiresAtMs).toBe(61_000);
    expect(JSON.stringify(made.record)).not.toContain('sekrit');
    expect(parseTokenRecord(ID, JSON.parse(JSON.stringify(made.record)))).toEqual(made.record);
  });

  it('skips a stored value it cannot trust', () => {
    expect(parseTokenRecord(ID, null)).toBeUndefined();
    expect(parseTokenRecord(ID, { ...record(), id: 'other' })).toBeUndefined();
    expect(parseTokenRecord(ID, { ...record(), access: 'root' })).toBeUndefined();
    expect(parseTokenRecord(ID, { ...record(), expiresAtMs: -1 })).toBeUndefined();
  });
});
