// Which hierarchy does what, from the host's mounts: hybrid, pure v2 and v1-only layouts.
import { describe, expect, it } from '@jest/globals';
import {
  enforcedLimits,
  launcherArgs,
  modeOf,
  parseMountinfo,
  planHierarchies,
  validateCgroupRoot,
  type CgroupMount,
} from './plan.js';

// This test machine's layout (Debian 11 style hybrid): v1 per controller, v2 without controllers.
const HYBRID = `31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
33 31 0:30 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct
35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
39 31 0:36 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids
40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,xattr,name=systemd
41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw,nsdelegate
22 1 8:1 / / rw,relatime - ext4 /dev/vda1 rw`;

// Debian 12: one v2 tree.
const PURE_V2 = `30 23 0:26 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot`;

// An old host: v1 only, cpu and cpuacct bound together.
const V1_ONLY = `25 20 0:22 / /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct
26 20 0:23 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory
27 20 0:24 / /sys/fs/cgroup/pids rw - cgroup cgroup rw,pids`;

const withV2Controllers = (mounts: CgroupMount[], controllers: string[]) =>
  mounts.map((m) => (m.version === 2 ? { ...m, controllers } : m));

describe('parseMountinfo', () => {
  it('finds the v2 tree and each v1 hierarchy with its controllers, skipping named ones', () => {
    expect(parseMountinfo(HYBRID)).toEqual([
      { mountPoint: '/sys/fs/cgroup/cpu', version: 1, controllers: ['cpu'] },
      { mountPoint: '/sys/fs/cgroup/cpuacct', version: 1, controllers: ['cpuacct'] },
      { mountPoint: '/sys/fs/cgroup/memory', version: 1, controllers: ['memory'] },
      { mountPoint: '/sys/fs/cgroup/pids', version: 1, controllers: ['pids'] },
      { mountPoint: '/sys/fs/cgroup/unified', version: 2, controllers: [] },
    ]);
  });

  it('unescapes octal escapes in mount points', () => {
    expect(parseMountinfo('1 2 0:1 / /tmp/my\\040cg rw - cgroup2 none rw')[0]?.mountPoint).toBe('/tmp/my cg');
  });
});

describe('planHierarchies', () => {
  it('on a hybrid: tracks and counts CPU in v2, limits in the v1 hierarchies', () => {
    const plan = planHierarchies(withV2Controllers(parseMountinfo(HYBRID), ['hugetlb']));
    expect(plan).toEqual([
      { mountPoint: '/sys/fs/cgroup/unified', version: 2, roles: ['track', 'cpuacct'] },
      { mountPoint: '/sys/fs/cgroup/cpu', version: 1, roles: ['cpu'] },
      { mountPoint: '/sys/fs/cgroup/memory', version: 1, roles: ['memory'] },
      { mountPoint: '/sys/fs/cgroup/pids', version: 1, roles: ['pids'] },
    ]);
    expect(modeOf(plan)).toBe('v1');
    expect(enforcedLimits(plan)).toEqual(['cpu', 'memory', 'pids']);
  });

  it('on pure v2: one hierarchy does everything the root offers', () => {
    const plan = planHierarchies(withV2Controllers(parseMountinfo(PURE_V2), ['cpuset', 'cpu', 'io', 'memory', 'pids']));
    expect(plan).toEqual([
      { mountPoint: '/sys/fs/cgroup', version: 2, roles: ['track', 'cpu', 'memory', 'pids', 'cpuacct'] },
    ]);
    expect(modeOf(plan)).toBe('v2');
  });

  it('on pure v2 without controllers: tracking only, nothing enforced', () => {
    const plan = planHierarchies(parseMountinfo(PURE_V2));
    expect(plan).toEqual([{ mountPoint: '/sys/fs/cgroup', version: 2, roles: ['track', 'cpuacct'] }]);
    expect(enforcedLimits(plan)).toEqual([]);
  });

  it('on v1 only: tracks in the pids hierarchy, cpu and cpuacct in their shared one', () => {
    const plan = planHierarchies(parseMountinfo(V1_ONLY));
    expect(plan).toEqual([
      { mountPoint: '/sys/fs/cgroup/pids', version: 1, roles: ['track', 'pids'] },
      { mountPoint: '/sys/fs/cgroup/cpu,cpuacct', version: 1, roles: ['cpu', 'cpuacct'] },
      { mountPoint: '/sys/fs/cgroup/memory', version: 1, roles: ['memory'] },
    ]);
  });

  it('without any cgroup mount: nothing', () => {
    expect(planHierarchies(parseMountinfo('22 1 8:1 / / rw - ext4 /dev/vda1 rw'))).toEqual([]);
  });
});

describe('launcherArgs', () => {
  it("names each hierarchy's version, roles and the agent's dir in it, then the relative root", () => {
    const plan = planHierarchies(withV2Controllers(parseMountinfo(HYBRID), []));
    expect(launcherArgs(plan, '/mo/n1')).toEqual([
      '--cgroup',
      '2ta:/sys/fs/cgroup/unified/mo/n1',
      '--cgroup',
      '1c:/sys/fs/cgroup/cpu/mo/n1',
      '--cgroup',
      '1m:/sys/fs/cgroup/memory/mo/n1',
      '--cgroup',
      '1p:/sys/fs/cgroup/pids/mo/n1',
      '--cgroup-rel',
      '/mo/n1',
    ]);
    expect(launcherArgs([], '/mo/n1')).toEqual([]);
  });
});

describe('validateCgroupRoot', () => {
  it.each(['/mo/01J5', '/mo-test/a.b_c-1', '/x'])('accepts %j', (root) => {
    expect(validateCgroupRoot(root)).toBe(root);
  });

  it.each(['', '/', 'mo/x', '/mo/', '/mo//x', '/mo/../x', '/mo/./x', '/mo/a b', '/mo/ü', `/${'a'.repeat(200)}`])(
    'rejects %j naming the option',
    (root) => {
      expect(() => validateCgroupRoot(root, '--cgroup-root')).toThrow(/^--cgroup-root: expected/);
    },
  );
});
