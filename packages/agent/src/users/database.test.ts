import { afterAll, describe, expect, it } from '@jest/globals';
import { waitFor } from '@mo/testkit';
import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseGroup, parsePasswd, UserDatabase, userLookup } from './database.js';

describe('the user database', () => {
  it('reads passwd and group lines, skipping what is not one', () => {
    const passwd = parsePasswd(
      [
        '# comment',
        'alice:x:1000:100::/home/alice:/bin/sh',
        '+nis',
        'bad:x:uid:1',
        'short:x:1',
        '',
        'big:x:4294967295:1:::',
      ].join('\n'),
    );
    expect(passwd).toEqual([{ name: 'alice', uid: 1000, gid: 100 }]);
    expect(parseGroup('users:x:100:alice,bob\nempty:x:5:\nbroken:x:\n')).toEqual([
      { name: 'users', gid: 100, members: ['alice', 'bob'] },
      { name: 'empty', gid: 5, members: [] },
    ]);
  });

  it('finds the first entry of a name or uid, and the groups that list a user', () => {
    const db = userLookup(
      parsePasswd('a:x:1:1:::\na:x:2:2:::\nb:x:1:3:::\n'),
      parseGroup('g:x:10:a\nh:x:11:b,a\ng2:x:10:a\n'),
    );
    expect(db.byName('a')).toEqual({ name: 'a', uid: 1, gid: 1 });
    expect(db.byUid(1)?.name).toBe('a');
    expect(db.memberOf('a')).toEqual([10, 11]);
    expect(db.memberOf('nobody')).toEqual([]);
  });

  const dir = mkdtempSync(join(tmpdir(), `mo-users-${process.pid}-`));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('re-reads its files once they change', async () => {
    const files = { passwd: join(dir, 'passwd'), group: join(dir, 'group') };
    writeFileSync(files.passwd, 'a:x:1:1:::\n');
    writeFileSync(files.group, '');
    const db = new UserDatabase(files);
    expect(db.byName('b')).toBeUndefined();
    writeFileSync(files.passwd, 'a:x:1:1:::\nb:x:2:2:::\n');
    utimesSync(files.passwd, new Date(), new Date(Date.now() + 5000));
    // Checked at most once a second: seen once the next check is due.
    expect((await waitFor('the new user to be read', () => db.byName('b'), { timeoutMs: 5000 })).uid).toBe(2);
  });

  it('names a file it cannot read', () => {
    const db = new UserDatabase({ passwd: join(dir, 'missing'), group: join(dir, 'group') });
    expect(() => db.byName('a')).toThrow(`cannot read the user database ${join(dir, 'missing')}`);
  });
});
