// The rule that decides whether a mount source's path could be swapped before Docker mounts it.
import { describe, expect, it } from '@jest/globals';
import { swapRisk, type PathEntry } from './mount-path.js';

const TRUSTED = new Set([0, 1000]);
const dir = (path: string, uid: number, mode: number): PathEntry => ({
  path,
  uid,
  mode: 0o40000 | mode,
  isDirectory: true,
  isSymlink: false,
});
const file = (path: string, uid: number): PathEntry => ({
  path,
  uid,
  mode: 0o100644,
  isDirectory: false,
  isSymlink: false,
});
const link = (path: string): PathEntry => ({ path, uid: 0, mode: 0o120777, isDirectory: false, isSymlink: true });

const root = dir('/', 0, 0o755);
const tmp = dir('/tmp', 0, 0o1777);

describe('swapRisk', () => {
  it.each<[string, PathEntry[]]>([
    ['a path of root-owned directories', [root, dir('/srv', 0, 0o755), dir('/srv/data', 0, 0o755)]],
    [
      "a path owned by the agent's user",
      [root, dir('/home', 0, 0o755), dir('/home/mo', 1000, 0o700), file('/home/mo/f', 1000)],
    ],
    [
      'a source anyone may write, in a trusted directory',
      [root, dir('/srv', 0, 0o755), dir('/srv/share', 4242, 0o777)],
    ],
    ['a root-owned entry in the sticky /tmp', [root, tmp, dir('/tmp/build', 0, 0o755), dir('/tmp/build/ws', 0, 0o755)]],
    [
      'a directory writable by no one but its owner, with a group',
      [root, dir('/srv', 0, 0o750), dir('/srv/x', 0, 0o755)],
    ],
  ])('accepts %s', (_, entries) => {
    expect(swapRisk(entries, TRUSTED)).toBeUndefined();
  });

  it.each<[string, PathEntry[], string]>([
    [
      "a directory of another user's on the way",
      [root, tmp, dir('/tmp/b', 0, 0o755), dir('/tmp/b/evil', 65534, 0o755), dir('/tmp/b/evil/etc', 65534, 0o755)],
      '/tmp/b/evil is owned by uid 65534',
    ],
    [
      "another user's entry in the sticky /tmp (its owner may rename it)",
      [root, tmp, dir('/tmp/evil', 65534, 0o755)],
      '/tmp is writable by anyone (mode 1777)',
    ],
    [
      'a world-writable directory without the sticky bit',
      [root, dir('/srv', 0, 0o777), dir('/srv/x', 0, 0o755)],
      '/srv is writable by anyone (mode 0777)',
    ],
    [
      'a group-writable directory',
      [root, dir('/srv', 0, 0o775), dir('/srv/x', 0, 0o755)],
      '/srv is writable by its group (mode 0775)',
    ],
    ['a component that became a symlink', [root, link('/srv'), dir('/srv/x', 0, 0o755)], '/srv became a symlink'],
    ['a source that became a symlink', [root, dir('/srv', 0, 0o755), link('/srv/x')], '/srv/x became a symlink'],
    ['a file on the way', [root, file('/srv', 0), dir('/srv/x', 0, 0o755)], '/srv is not a directory'],
  ])('refuses %s', (_, entries, reason) => {
    expect(swapRisk(entries, TRUSTED)).toContain(reason);
  });
});
