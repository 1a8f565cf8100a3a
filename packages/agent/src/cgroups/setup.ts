// Makes the agent's own cgroup in each hierarchy it uses: `<mount><root>` (default /mo/<node-id>)
// with a `shims` child, where shims wait once they have left their workload's cgroup. In v2 the
// controllers are enabled down the path, so workload cgroups get memory.max, cpu.max, pids.max.
// Anything that fails is said, not assumed: a role whose hierarchy is not writable is dropped, and
// without a tracking hierarchy the agent runs without cgroups (see ProcessDriver's fallback).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { readMountinfo } from '../host/proc.js';
import {
  enforcedLimits,
  joinPath,
  modeOf,
  parseMountinfo,
  planHierarchies,
  type CgroupMount,
  type EnforcedLimit,
  type PlannedHierarchy,
} from './plan.js';

/** The cgroups an agent runs its process workloads in. */
export interface CgroupLayout {
  mode: 'v1' | 'v2';
  /** The agent's cgroup relative to each mount point ("/mo/<node-id>"). */
  root: string;
  /** The hierarchies in use, the tracking one first. */
  hierarchies: PlannedHierarchy[];
  enforced: EnforcedLimit[];
}

export type CgroupSetup =
  { ok: true; layout: CgroupLayout; notes: string[] } | { ok: false; reason: string; notes: string[] };

export interface CgroupSetupOptions {
  /** The agent's cgroup path under each mount, or "off". */
  root: string;
  /** /proc/self/mountinfo's text (tests give a fixture pointing at temp dirs). */
  mountinfo?: string;
}

const SUBTREE_CONTROLLERS = ['cpu', 'memory', 'pids'] as const;

export function setUpCgroups(options: CgroupSetupOptions): CgroupSetup {
  const notes: string[] = [];
  if (options.root === 'off') return { ok: false, reason: 'cgroups turned off (--cgroup-root off)', notes };
  let mounts: CgroupMount[];
  try {
    mounts = parseMountinfo(options.mountinfo ?? readMountinfo());
  } catch (err) {
    return { ok: false, reason: `cannot read /proc/self/mountinfo: ${(err as Error).message}`, notes };
  }
  for (const m of mounts) if (m.version === 2) m.controllers = readWords(`${m.mountPoint}/cgroup.controllers`);
  const planned = planHierarchies(mounts);
  if (planned.length === 0) return { ok: false, reason: 'no cgroup hierarchy is mounted', notes };

  const hierarchies: PlannedHierarchy[] = [];
  for (const h of planned) {
    const dir = joinPath(h.mountPoint, options.root);
    try {
      makeDir(`${dir}/shims`);
    } catch (err) {
      const why = `cannot create ${dir}/shims: ${errText(err)}`;
      if (h.roles.includes('track')) return { ok: false, reason: why, notes };
      notes.push(`${why}: no ${h.roles.join(', ')} there`);
      continue;
    }
    const roles = h.version === 2 ? enableControllers(h, options.root, notes) : h.roles;
    hierarchies.push({ ...h, roles });
  }
  return {
    ok: true,
    layout: { mode: modeOf(hierarchies), root: options.root, hierarchies, enforced: enforcedLimits(hierarchies) },
    notes,
  };
}

/**
 * Enables the v2 controllers this hierarchy is planned for, from the mount's root down to the
 * agent's cgroup; returns the roles that hold. A cgroup that holds processes cannot hand
 * controllers to its children (EBUSY): then those limits are not enforced.
 */
function enableControllers(h: PlannedHierarchy, root: string, notes: string[]): PlannedHierarchy['roles'] {
  const wanted = SUBTREE_CONTROLLERS.filter((c) => h.roles.includes(c));
  if (wanted.length === 0) return h.roles;
  const segments = root.split('/').filter(Boolean);
  for (let i = 0; i <= segments.length; i++) {
    const dir = joinPath(
      h.mountPoint,
      segments
        .slice(0, i)
        .map((s) => `/${s}`)
        .join(''),
    );
    const have = readControllers(`${dir}/cgroup.subtree_control`);
    const missing = wanted.filter((c) => !have.includes(c));
    if (missing.length === 0) continue;
    try {
      writeFileSync(`${dir}/cgroup.subtree_control`, missing.map((c) => `+${c}`).join(' '));
    } catch (err) {
      notes.push(`cannot enable ${missing.join(', ')} in ${dir}/cgroup.subtree_control: ${errText(err)}`);
    }
  }
  const enabled = readControllers(`${joinPath(h.mountPoint, root)}/cgroup.subtree_control`);
  return h.roles.filter((r) => !(SUBTREE_CONTROLLERS as readonly string[]).includes(r) || enabled.includes(r));
}

/** mkdir -p, again if another agent removed the shared parent (/mo) between two of its steps. */
function makeDir(dir: string): void {
  for (let attempt = 1; ; attempt++) {
    try {
      mkdirSync(dir, { recursive: true });
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || attempt >= 3) throw err;
    }
  }
}

/** cgroup.subtree_control lists "cpu memory"; a plain file standing in for it in tests, "+cpu +memory". */
function readControllers(path: string): string[] {
  return readWords(path).map((w) => w.replace(/^\+/, ''));
}

function readWords(path: string): string[] {
  try {
    return readFileSync(path, 'utf8').split(/\s+/).filter(Boolean);
  } catch {
    return [];
  }
}

function errText(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  return e.code ?? e.message;
}
