import { describe, expect, it } from '@jest/globals';
import { InvalidArgumentError } from './errors.js';
import { parseUserSpec, validateUser } from './user-spec.js';

describe('spec.user', () => {
  it.each([
    ['', undefined],
    ['nobody', { name: 'nobody' }],
    ['_apt', { name: '_apt' }],
    ['www-data', { name: 'www-data' }],
    ['Build.Bot', { name: 'Build.Bot' }],
    ['host$', { name: 'host$' }],
    ['a'.repeat(32), { name: 'a'.repeat(32) }],
    ['0', { uid: 0 }],
    ['1000', { uid: 1000 }],
    ['1000:100', { uid: 1000, gid: 100 }],
    ['4294967294:4294967294', { uid: 4294967294, gid: 4294967294 }],
  ])('reads %j', (text, parsed) => {
    expect(parseUserSpec('spec.user', text)).toEqual(parsed);
  });

  it.each([
    ['a'.repeat(33)],
    ['-rf'],
    ['1abc'],
    ['al ice'],
    ['alice:100'],
    ['1000:'],
    [':100'],
    ['007'],
    ['4294967295'],
    ['1000:4294967295'],
    ['99999999999'],
    ['root\0'],
    ['ali$ce'],
    ['../x'],
  ])('refuses %j naming the field', (text) => {
    let err: unknown;
    try {
      validateUser('steps[0].user', text);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InvalidArgumentError);
    expect((err as InvalidArgumentError).field).toBe('steps[0].user');
    expect((err as Error).message).toMatch(/^steps\[0\]\.user: must be a user name/);
  });
});
