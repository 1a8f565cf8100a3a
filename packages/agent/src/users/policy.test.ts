import { describe, expect, it } from '@jest/globals';
import { FailedPreconditionError, InvalidArgumentError } from '@mo/api';
import { parseGroup, parsePasswd, userLookup } from './database.js';
import { checkDefaultUser, describeRunAs, parseAllowedUsers, resolveRunAs, type UserPolicy } from './policy.js';

const db = userLookup(
  parsePasswd(
    [
      'root:x:0:0:root:/root:/bin/bash',
      'toor:x:0:0:another root:/root:/bin/sh',
      'daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin',
      'alice:x:1000:1000::/home/alice:/bin/bash',
      'bob:x:1001:1001::/home/bob:/bin/bash',
      'nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin',
    ].join('\n'),
  ),
  parseGroup(
    ['root:x:0:', 'daemon:x:1:', 'sudo:x:27:alice', 'alice:x:1000:', 'bob:x:1001:', 'dev:x:2000:bob,alice'].join('\n'),
  ),
);

const root = { uid: 0, gid: 0, groups: [0] };
const policy = (allowed: string[] = [], defaultUser = 'nobody', agent = root): UserPolicy => ({
  defaultUser,
  allowed: parseAllowedUsers(allowed, '--allowed-users'),
  agent,
});

function refusal(fn: () => unknown): Error {
  try {
    fn();
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a refusal');
}

describe('resolving a workload user', () => {
  it('runs a workload without a user as the default user, with its groups', () => {
    const r = resolveRunAs('', policy(), db);
    expect(r).toEqual({ name: 'nobody', uid: 65534, gid: 65534, groups: [65534] });
    expect(describeRunAs(r)).toBe('nobody (65534:65534)');
  });

  it('lets a spec name the default user itself, by name or uid', () => {
    expect(resolveRunAs('nobody', policy(), db).uid).toBe(65534);
    expect(resolveRunAs('65534', policy(), db).uid).toBe(65534);
  });

  it('gives an allowed user its primary group and every group that lists it (initgroups)', () => {
    const r = resolveRunAs('alice', policy(['alice']), db);
    expect(r).toEqual({ name: 'alice', uid: 1000, gid: 1000, groups: [1000, 27, 2000] });
    expect(describeRunAs(r)).toBe('alice (1000:1000, groups 27,2000)');
    // By uid, and listed by uid: the same user.
    expect(resolveRunAs('1000', policy(['1000']), db).name).toBe('alice');
  });

  it('takes a gid only among the user’s groups', () => {
    expect(resolveRunAs('1000:2000', policy(['alice']), db)).toMatchObject({ gid: 2000, groups: [2000, 27] });
    const err = refusal(() => resolveRunAs('1000:42', policy(['alice']), db));
    expect(err).toBeInstanceOf(FailedPreconditionError);
    expect(err.message).toBe('spec.user: gid 42 is not a group of user "alice" on this node');
  });

  it.each([
    ['root', []],
    ['0', []],
    ['toor', ['*']],
    ['root', ['*', 'alice']],
  ])('refuses root (%s) unless listed explicitly (allowed: %j)', (user, allowed) => {
    const err = refusal(() => resolveRunAs(user, policy(allowed), db));
    expect(err).toBeInstanceOf(FailedPreconditionError);
    expect(err.message).toMatch(/^spec\.user: user "(root|0|toor)" \(uid 0\) is not allowed on this node: .*root only/);
  });

  it.each([['root'], ['0'], ['toor']])('runs root when --allowed-users lists %s', (listed) => {
    expect(resolveRunAs('root', policy([listed]), db)).toEqual({ name: 'root', uid: 0, gid: 0, groups: [0] });
  });

  it('allows any user but root with *', () => {
    expect(resolveRunAs('bob', policy(['*']), db).uid).toBe(1001);
    expect(resolveRunAs('daemon', policy(['*']), db).uid).toBe(1);
  });

  it('refuses a user that is not listed, naming who is allowed', () => {
    const err = refusal(() => resolveRunAs('bob', policy(['alice']), db));
    expect(err.message).toBe(
      'spec.user: user "bob" (uid 1001) is not allowed on this node: its agent runs workloads as nobody, alice (--allowed-users)',
    );
  });

  it('refuses a user that does not exist on the node', () => {
    const err = refusal(() => resolveRunAs('mallory', policy(['*']), db));
    expect(err).toBeInstanceOf(FailedPreconditionError);
    expect(err.message).toBe('spec.user: user "mallory" does not exist on this node');
    expect(refusal(() => resolveRunAs('4242:4242', policy(['*']), db)).message).toMatch(/"4242:4242" does not exist/);
  });

  it('refuses a malformed user as INVALID_ARGUMENT naming spec.user', () => {
    const err = refusal(() => resolveRunAs('-u root', policy(), db));
    expect(err).toBeInstanceOf(InvalidArgumentError);
    expect((err as InvalidArgumentError).field).toBe('spec.user');
  });

  it('runs everything as itself on an agent that is not root', () => {
    const self = { uid: 1000, gid: 1000, groups: [1000, 27] };
    const p = policy([], 'alice', self);
    expect(resolveRunAs('', p, db)).toEqual({ name: 'alice', uid: 1000, gid: 1000, groups: [1000, 27] });
    expect(resolveRunAs('alice', p, db).uid).toBe(1000);
    expect(refusal(() => resolveRunAs('nobody', p, db)).message).toBe(
      'spec.user: this agent runs as uid 1000, not root, so it runs workloads only as that user, not "nobody"',
    );
  });
});

describe('the agent’s user flags', () => {
  it('parses --allowed-users', () => {
    expect(parseAllowedUsers([' alice', '1001', '*', ''], '--allowed-users')).toEqual({
      anyNonRoot: true,
      names: ['alice'],
      uids: [1001],
    });
    expect(() => parseAllowedUsers(['1000:1000'], '--allowed-users')).toThrow(
      /^--allowed-users: expected a user name or a uid/,
    );
    expect(() => parseAllowedUsers(['a b'], '--allowed-users')).toThrow(/^--allowed-users: expected user names/);
  });

  it('checks the default user at start, naming --default-user', () => {
    expect(checkDefaultUser(policy(), db).uid).toBe(65534);
    expect(() => checkDefaultUser(policy([], 'ghost'), db)).toThrow(
      '--default-user: user "ghost" (the agent\'s --default-user) does not exist on this node',
    );
    expect(() => checkDefaultUser(policy([], 'nobody', { uid: 1000, gid: 1000, groups: [] }), db)).toThrow(
      /^--default-user: this agent runs as uid 1000, not root/,
    );
    expect(() => checkDefaultUser(policy([], 'x y'), db)).toThrow(/^--default-user: expected a user name/);
  });
});
