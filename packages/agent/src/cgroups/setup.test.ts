// setUpCgroups against plain temp dirs standing in for cgroup mounts (mountinfo pointing at them):
// what it creates and writes on a pure v2 host and a hybrid, and what it says when it cannot.
// The real hierarchies are exercised by test/cgroups.test.ts.
import { afterAll, describe, expect, it } from '@jest/globals';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setUpCgroups } from './setup.js';

const base = mkdtempSync(join(tmpdir(), 'mo-cgroup-setup-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));

let n = 0;
/** A fresh fake host: one dir per mount, and its mountinfo text. */
function fakeHost(mounts: Array<{ name: string; fstype: 'cgroup' | 'cgroup2'; opts: string; controllers?: string }>) {
  const root = join(base, `h${++n}`);
  const lines = mounts.map((m, i) => {
    const dir = join(root, m.name);
    mkdirSync(dir, { recursive: true });
    if (m.controllers !== undefined) writeFileSync(join(dir, 'cgroup.controllers'), `${m.controllers}\n`);
    return `${30 + i} 23 0:${28 + i} / ${dir} rw,relatime - ${m.fstype} ${m.fstype} ${m.opts}`;
  });
  return { root, mountinfo: lines.join('\n') };
}

describe('setUpCgroups', () => {
  it('on pure v2: makes <mount><root>/shims and enables cpu, memory and pids down the path', () => {
    const host = fakeHost([{ name: 'cg', fstype: 'cgroup2', opts: 'rw', controllers: 'cpuset cpu io memory pids' }]);
    const setup = setUpCgroups({ root: '/mo/n1', mountinfo: host.mountinfo });
    expect(setup).toMatchObject({ ok: true, notes: [] });
    if (!setup.ok) return;
    expect(setup.layout).toEqual({
      mode: 'v2',
      root: '/mo/n1',
      hierarchies: [
        { mountPoint: join(host.root, 'cg'), version: 2, roles: ['track', 'cpu', 'memory', 'pids', 'cpuacct'] },
      ],
      enforced: ['cpu', 'memory', 'pids'],
    });
    expect(existsSync(join(host.root, 'cg/mo/n1/shims'))).toBe(true);
    for (const dir of ['cg', 'cg/mo', 'cg/mo/n1']) {
      expect(readFileSync(join(host.root, dir, 'cgroup.subtree_control'), 'utf8')).toBe('+cpu +memory +pids');
    }
  });

  it('on a hybrid: the v2 tree for tracking, each v1 controller hierarchy for its limit', () => {
    const host = fakeHost([
      { name: 'unified', fstype: 'cgroup2', opts: 'rw', controllers: '' },
      { name: 'memory', fstype: 'cgroup', opts: 'rw,memory' },
      { name: 'cpu', fstype: 'cgroup', opts: 'rw,cpu' },
      { name: 'pids', fstype: 'cgroup', opts: 'rw,pids' },
      { name: 'systemd', fstype: 'cgroup', opts: 'rw,name=systemd' },
    ]);
    const setup = setUpCgroups({ root: '/mo/n2', mountinfo: host.mountinfo });
    expect(setup.ok && setup.layout.mode).toBe('v1');
    expect(setup.ok && setup.layout.enforced).toEqual(['cpu', 'memory', 'pids']);
    for (const h of ['unified', 'memory', 'cpu', 'pids'])
      expect(existsSync(join(host.root, h, 'mo/n2/shims'))).toBe(true);
    expect(existsSync(join(host.root, 'systemd/mo'))).toBe(false);
    // v1 needs no subtree_control, and the controller-less v2 tree gets none written.
    expect(existsSync(join(host.root, 'unified/cgroup.subtree_control'))).toBe(false);
  });

  it('drops a limit whose hierarchy is not writable, and says so', () => {
    const host = fakeHost([
      { name: 'unified', fstype: 'cgroup2', opts: 'rw', controllers: '' },
      { name: 'memory', fstype: 'cgroup', opts: 'rw,memory' },
    ]);
    // A file where the agent's root would go: mkdir fails (ENOTDIR), as on a read-only mount.
    writeFileSync(join(host.root, 'memory', 'mo'), '');
    const setup = setUpCgroups({ root: '/mo/n3', mountinfo: host.mountinfo });
    expect(setup.ok && setup.layout.enforced).toEqual([]);
    expect(setup.notes).toEqual([expect.stringMatching(/memory\/mo\/n3\/shims: ENOTDIR: no memory there$/)]);
  });

  it('without a writable tracking hierarchy: no cgroups, with the reason', () => {
    const host = fakeHost([{ name: 'unified', fstype: 'cgroup2', opts: 'rw', controllers: '' }]);
    writeFileSync(join(host.root, 'unified', 'mo'), '');
    expect(setUpCgroups({ root: '/mo/n4', mountinfo: host.mountinfo })).toEqual({
      ok: false,
      reason: expect.stringMatching(/^cannot create .*unified\/mo\/n4\/shims: ENOTDIR$/),
      notes: [],
    });
  });

  it('without any cgroup mount, or when turned off: no cgroups, with the reason', () => {
    expect(setUpCgroups({ root: '/mo/n5', mountinfo: '22 1 8:1 / / rw - ext4 /dev/vda1 rw' })).toMatchObject({
      ok: false,
      reason: 'no cgroup hierarchy is mounted',
    });
    expect(setUpCgroups({ root: 'off' })).toMatchObject({ ok: false, reason: expect.stringMatching(/turned off/) });
  });
});
