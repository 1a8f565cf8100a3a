// Test helpers around real cgroups: which hierarchies this host has for a test root, removing a
// test's cgroup tree (killing what runs in it) and finding processes by a marker in their argv.
import { existsSync, readdirSync, readFileSync, rmdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { requireTool, sleep } from '@mo/testkit';

/** The cgroup mount points of this host (v1 and v2). */
export function cgroupMounts(): string[] {
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .filter((l) => / - cgroup2? /.test(l))
    .map((l) => l.split(' ')[4]!);
}

/** The cgroup2 mount point, if any (it tracks and kills workload trees). */
export function v2Mount(): string | undefined {
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .find((l) => / - cgroup2 /.test(l))
    ?.split(' ')[4];
}

/**
 * True when this host lets us make cgroups (root, a cgroup2 tree or v1 hierarchies). Otherwise the
 * caller's tests are skipped with the reason, or fail under CI=true.
 */
export function cgroupsAvailable(): boolean {
  const ok = process.getuid?.() === 0 && cgroupMounts().length > 0;
  return requireTool(ok, 'writable cgroups (root on a host with cgroup hierarchies)');
}

/**
 * Kills everything in `root` (relative to the mounts) and removes it in every hierarchy, then its
 * parents that are left empty (a shared /mo-test stays while another test file uses it).
 */
export async function removeCgroupTree(root: string): Promise<void> {
  for (const m of cgroupMounts()) {
    await removeTree(join(m, root));
    for (let parent = dirname(root); parent !== '/'; parent = dirname(parent)) {
      try {
        rmdirSync(join(m, parent));
      } catch {
        break;
      }
    }
  }
}

async function removeTree(dir: string): Promise<void> {
  if (!existsSync(dir)) return;
  for (const e of readdirSync(dir, { withFileTypes: true })) if (e.isDirectory()) await removeTree(join(dir, e.name));
  for (let i = 0; i < 200; i++) {
    const pids = procsOf(dir);
    if (pids.length === 0) break;
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
    await sleep(10);
  }
  try {
    rmdirSync(dir);
  } catch {
    // still busy: reported by the test that checks for leftovers
  }
}

function procsOf(dir: string): number[] {
  try {
    return readFileSync(join(dir, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** Pids of live (not zombie) processes whose command line contains `marker`. */
export function processesWith(marker: string): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (!readFileSync(`/proc/${name}/cmdline`, 'utf8').replaceAll('\0', ' ').includes(marker)) continue;
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      if (stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z') out.push(Number(name));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/** Kills every process whose command line contains `marker` (a test's cleanup). */
export function killWith(marker: string): void {
  for (const pid of processesWith(marker)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
}

/** The cgroup path of `pid` in the hierarchy mounted at `mount` ("" if none found). */
export function cgroupOf(pid: number, mount: string): string {
  const mountinfo = readFileSync('/proc/self/mountinfo', 'utf8').split('\n');
  const line = mountinfo.find((l) => l.split(' ')[4] === mount);
  if (!line) return '';
  const [fstype, , opts = ''] = line.slice(line.indexOf(' - ') + 3).split(' ');
  const controllers = opts.split(',');
  for (const entry of readFileSync(`/proc/${pid}/cgroup`, 'utf8').trim().split('\n')) {
    const [, list, path] = /^\d+:([^:]*):(.*)$/.exec(entry) ?? [];
    if (fstype === 'cgroup2' ? list === '' : list?.split(',').some((c) => controllers.includes(c))) return path ?? '';
  }
  return '';
}
