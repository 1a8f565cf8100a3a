import { describe, expect, it } from '@jest/globals';
import { newId } from '../daemon/ids.js';
import {
  TOKEN_TEXT_LENGTH,
  bearerToken,
  formatToken,
  hashSecret,
  newTokenSecret,
  parseToken,
  secretMatches,
} from './tokens.js';

describe('token text', () => {
  it('is mo_<ULID>_<43 base64url characters of a 32-byte secret>, and parses back', () => {
    const id = newId();
    const secret = newTokenSecret();
    expect(Buffer.from(secret, 'base64url')).toHaveLength(32);
    const text = formatToken(id, secret);
    expect(text).toHaveLength(TOKEN_TEXT_LENGTH);
    expect(text).toMatch(/^mo_[0-9A-Z]{26}_[A-Za-z0-9_-]{43}$/);
    expect(parseToken(text)).toEqual({ id, secret });
  });

  it('draws a different secret every time', () => {
    const secrets = new Set(Array.from({ length: 100 }, () => newTokenSecret()));
    expect(secrets.size).toBe(100);
  });

  it.each([
    ['empty', ''],
    ['another prefix', `xx_${newId()}_${'a'.repeat(43)}`],
    ['a short secret', `mo_${newId()}_${'a'.repeat(42)}`],
    ['a long secret', `mo_${newId()}_${'a'.repeat(44)}`],
    ['a lower-case id', `mo_${newId().toLowerCase()}_${'a'.repeat(43)}`],
    ['a character outside base64url', `mo_${newId()}_${'a'.repeat(42)}+`],
    ['trailing whitespace', `mo_${newId()}_${'a'.repeat(42)} `],
  ])('refuses %s', (_what, text) => {
    expect(parseToken(text)).toBeUndefined();
  });
});

describe('secret hashes', () => {
  it('stores SHA-256 hex and matches only the same secret', () => {
    const secret = newTokenSecret();
    const hash = hashSecret(secret);
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(hash).not.toContain(secret);
    expect(secretMatches(secret, hash)).toBe(true);
    expect(secretMatches(newTokenSecret(), hash)).toBe(false);
  });

  it('refuses a stored hash that is not SHA-256 hex (never a length error from the comparison)', () => {
    expect(secretMatches('x', 'abc')).toBe(false);
    expect(secretMatches('x', 'Z'.repeat(64))).toBe(false);
  });
});

describe('bearerToken', () => {
  it('is undefined without an authorization value', () => {
    expect(bearerToken([])).toBeUndefined();
  });

  it('takes the token of one "Bearer <token>" value (scheme in any case)', () => {
    expect(bearerToken(['Bearer abc'])).toEqual({ token: 'abc' });
    expect(bearerToken(['bearer abc'])).toEqual({ token: 'abc' });
  });

  it.each([
    ['two values', ['Bearer a', 'Bearer b'], /sent 2 times/],
    ['binary metadata', [Buffer.from('x')], /binary/],
    ['another scheme', ['Basic dXNlcjpwYXNz'], /expected "Bearer <token>"/],
    ['no token', ['Bearer '], /expected "Bearer <token>"/],
    ['two words', ['Bearer a b'], /expected "Bearer <token>"/],
    ['a huge value', [`Bearer ${'x'.repeat(5000)}`], /at most 1024/],
  ])('refuses %s without repeating the value', (_what, values, message) => {
    const r = bearerToken(values);
    expect(r).toEqual({ error: expect.stringMatching(message) });
    expect((r as { error: string }).error).not.toMatch(/dXNlcjpwYXNz|xxxx/);
  });
});
