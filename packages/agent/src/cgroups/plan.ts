// Which cgroup hierarchy does what for process workloads, decided from the host's mounts (pure).
// Debian 12 mounts one cgroup v2 tree with every controller; hybrids mount v1 hierarchies per
// controller plus a v2 tree without controllers (still good for tracking: cgroup.procs,
// cgroup.kill, cpu.stat); old hosts mount v1 only. Detect, do not assume.

export type CgroupVersion = 1 | 2;

/** What a hierarchy is used for. `track`: find and kill the whole tree; `cpuacct`: CPU time used. */
export type CgroupRole = 'track' | 'memory' | 'cpu' | 'pids' | 'cpuacct';

/** A limit on process workloads that a hierarchy can enforce (reported in NodeFacts). */
export type EnforcedLimit = 'cpu' | 'memory' | 'pids';
export const LIMIT_ROLES: readonly EnforcedLimit[] = ['cpu', 'memory', 'pids'];

/** A mounted cgroup hierarchy, from /proc/self/mountinfo. */
export interface CgroupMount {
  mountPoint: string;
  version: CgroupVersion;
  /** v1: the controllers bound to it; v2: those listed in its root's cgroup.controllers. */
  controllers: string[];
}

export interface PlannedHierarchy {
  mountPoint: string;
  version: CgroupVersion;
  roles: CgroupRole[];
}

/**
 * Parses /proc/self/mountinfo into cgroup mounts: `id parent maj:min root mountpoint opts - fstype
 * source superopts`. v1 controllers come from the super options (`rw,cpu,cpuacct`); named v1
 * hierarchies (`name=systemd`) have none and are not ours to use. v2 controllers are read later.
 */
export function parseMountinfo(text: string): CgroupMount[] {
  const mounts: CgroupMount[] = [];
  for (const line of text.split('\n')) {
    const sep = line.indexOf(' - ');
    if (sep < 0) continue;
    const before = line.slice(0, sep).split(' ');
    const [fstype, , superOpts = ''] = line
      .slice(sep + 3)
      .trim()
      .split(' ');
    const mountPoint = unescapeMountPath(before[4] ?? '');
    if (!mountPoint.startsWith('/')) continue;
    if (fstype === 'cgroup2') mounts.push({ mountPoint, version: 2, controllers: [] });
    if (fstype === 'cgroup') {
      const controllers = superOpts.split(',').filter((o) => /^[a-z_]+$/.test(o) && !NOT_CONTROLLERS.has(o));
      if (controllers.length > 0) mounts.push({ mountPoint, version: 1, controllers });
    }
  }
  return mounts;
}

const NOT_CONTROLLERS = new Set(['rw', 'ro', 'noprefix', 'clone_children', 'xattr', 'cpuset_v2_mode']);

/** mountinfo escapes space, tab, newline and backslash as \ooo. */
function unescapeMountPath(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}

/**
 * Picks a hierarchy per role. Tracking prefers v2 (cgroup.kill kills a tree atomically, and its
 * cpu.stat counts CPU time without any controller); a controller is used in v2 when the v2 root
 * offers it, else from the v1 hierarchy it is bound to. The v2 tree's cpu.stat replaces cpuacct.
 * Returns the hierarchies in use, the tracking one first; none when nothing can track.
 */
export function planHierarchies(mounts: readonly CgroupMount[]): PlannedHierarchy[] {
  const v2 = mounts.find((m) => m.version === 2);
  const v1 = (controller: string) => mounts.find((m) => m.version === 1 && m.controllers.includes(controller));
  const track = v2 ?? v1('pids') ?? v1('memory') ?? v1('cpuacct') ?? v1('cpu');
  if (!track) return [];
  const picks: Array<[CgroupRole, CgroupMount | undefined]> = [['track', track]];
  for (const c of LIMIT_ROLES) picks.push([c, v2?.controllers.includes(c) ? v2 : v1(c)]);
  picks.push(['cpuacct', track.version === 2 ? track : v1('cpuacct')]);
  const out: PlannedHierarchy[] = [];
  for (const [role, m] of picks) {
    if (!m) continue;
    let h = out.find((x) => x.mountPoint === m.mountPoint);
    if (!h) out.push((h = { mountPoint: m.mountPoint, version: m.version, roles: [] }));
    if (!h.roles.includes(role)) h.roles.push(role);
  }
  return out;
}

/** "v2" when every hierarchy in use is v2, "v1" when limits or accounting come from v1. */
export function modeOf(hierarchies: readonly PlannedHierarchy[]): 'v1' | 'v2' {
  return hierarchies.every((h) => h.version === 2) ? 'v2' : 'v1';
}

/** The limits the hierarchies enforce, in a stable order. */
export function enforcedLimits(hierarchies: readonly PlannedHierarchy[]): EnforcedLimit[] {
  return LIMIT_ROLES.filter((l) => hierarchies.some((h) => h.roles.includes(l)));
}

const ROLE_LETTERS: Record<CgroupRole, string> = { track: 't', memory: 'm', cpu: 'c', pids: 'p', cpuacct: 'a' };

/** mo-shim's `--launcher` arguments for these hierarchies (see native/mo-cgroup.c). */
export function launcherArgs(hierarchies: readonly PlannedHierarchy[], root: string): string[] {
  const args: string[] = [];
  for (const h of hierarchies) {
    args.push(
      '--cgroup',
      `${h.version}${h.roles.map((r) => ROLE_LETTERS[r]).join('')}:${joinPath(h.mountPoint, root)}`,
    );
  }
  if (args.length > 0) args.push('--cgroup-rel', root);
  return args;
}

/** mount + a cgroup path relative to it ("/mo/n1"); the mount may be "/". */
export function joinPath(mountPoint: string, path: string): string {
  return mountPoint.replace(/\/+$/, '') + path;
}

/** The agent's cgroup root: absolute, plain segments, short enough for mo-shim's handshake line. */
export const CGROUP_ROOT_RE = /^(?:\/(?!\.{1,2}(?:\/|$))[A-Za-z0-9._-]+)+$/;
export const CGROUP_ROOT_MAX = 200;

/** Throws an Error naming the option when `root` is not a usable cgroup root. */
export function validateCgroupRoot(root: string, option = 'cgroupRoot'): string {
  if (root.length > CGROUP_ROOT_MAX || !CGROUP_ROOT_RE.test(root)) {
    throw new Error(
      `${option}: expected "off" or an absolute path of [A-Za-z0-9._-] segments (at most ${CGROUP_ROOT_MAX} bytes), got "${root}"`,
    );
  }
  return root;
}
