// Reads and acts on workload cgroups, each named by its path relative to the mounts
// ("/mo/<node-id>/w-<shim pid>-<shim start time>", from the shim's handshake or `started` record),
// so it is found in every hierarchy of the layout. The shim makes and removes them; the agent
// reads usage, kills a tree whose shim is gone, and removes what such a shim left behind.
import { readdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { joinPath, type CgroupRole, type CgroupVersion } from './plan.js';
import type { CgroupLayout } from './setup.js';
import { cpuUsageUs, parseFlatKeyed, parsePids } from './stats.js';

/** One reading of a workload cgroup; cpuUsageUs is undefined when no hierarchy counts CPU time. */
export interface CgroupSample {
  cpuUsageUs?: number;
  pids: number[];
}

export class WorkloadCgroups {
  constructor(readonly layout: CgroupLayout) {}

  /** The directory of `path` in the hierarchy holding `role`, with that hierarchy's version. */
  private where(role: CgroupRole, path: string): { dir: string; version: CgroupVersion } | undefined {
    const h = this.layout.hierarchies.find((x) => x.roles.includes(role));
    return h && { dir: joinPath(h.mountPoint, path), version: h.version };
  }

  /** The processes in the workload's cgroup (none once it is gone). */
  pids(path: string): number[] {
    const t = this.where('track', path);
    return t ? parsePids(readOr(`${t.dir}/cgroup.procs`, '')) : [];
  }

  /** True while any process is in the cgroup (zombies do not count). */
  populated(path: string): boolean {
    const t = this.where('track', path);
    if (!t) return false;
    if (t.version === 2) {
      const events = readOr(`${t.dir}/cgroup.events`, undefined);
      if (events !== undefined) return parseFlatKeyed(events).get('populated') === 1;
    }
    return this.pids(path).length > 0;
  }

  /** Sends `signal` to every process in the cgroup but `except` (its shim, if still inside). */
  signal(path: string, signal: NodeJS.Signals, except = 0): number {
    let sent = 0;
    for (const pid of this.pids(path)) {
      if (pid === except) continue;
      try {
        process.kill(pid, signal);
        sent++;
      } catch {
        // exited meanwhile
      }
    }
    return sent;
  }

  /**
   * SIGKILLs the whole tree. cgroup.kill (v2, Linux 5.14+) does it atomically, forks in flight
   * included; it is not used while `except` (the shim) is still inside, which it is only for the
   * moment between its handshake and its move out.
   */
  kill(path: string, except = 0): void {
    const t = this.where('track', path);
    if (!t) return;
    if (t.version === 2 && !(except > 0 && this.pids(path).includes(except))) {
      try {
        writeFileSync(`${t.dir}/cgroup.kill`, '1');
        return;
      } catch {
        // no cgroup.kill (older kernel) or the cgroup is gone: one pass by hand
      }
    }
    this.signal(path, 'SIGKILL', except);
  }

  /**
   * CPU time of the whole tree, exited processes included, and its processes now. (Memory is the
   * sum of their RSS, read by the caller: the cgroup's charge leaves out file pages first charged
   * elsewhere, such as a shell's binary, so it reads well below what `ps` and /proc show.)
   */
  sample(path: string): CgroupSample {
    const cpu = this.where('cpuacct', path);
    const cpuText = cpu && readOr(`${cpu.dir}/${cpu.version === 2 ? 'cpu.stat' : 'cpuacct.usage'}`, undefined);
    return {
      cpuUsageUs: cpu && cpuText !== undefined ? cpuUsageUs(cpu.version, cpuText) : undefined,
      pids: this.pids(path),
    };
  }

  /** Removes the cgroup from every hierarchy; false if some part is still busy (not empty). */
  remove(path: string): boolean {
    let done = true;
    for (const h of this.layout.hierarchies) {
      try {
        rmdirSync(joinPath(h.mountPoint, path));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') done = false;
      }
    }
    return done;
  }

  /** Removes the agent's root and its shims cgroup where they are empty (an agent that stops). */
  removeRoot(): void {
    for (const h of this.layout.hierarchies) {
      for (const dir of [`${this.layout.root}/shims`, this.layout.root]) {
        try {
          rmdirSync(joinPath(h.mountPoint, dir));
        } catch {
          // still in use (workloads keep running while the agent is away), or gone already
        }
      }
    }
  }

  /** The workload cgroups under the agent's root (any hierarchy), as paths. */
  list(): string[] {
    const names = new Set<string>();
    for (const h of this.layout.hierarchies) {
      try {
        for (const name of readdirSync(joinPath(h.mountPoint, this.layout.root))) {
          if (name.startsWith('w-')) names.add(name);
        }
      } catch {
        // the root is gone from this hierarchy: nothing of ours there
      }
    }
    return [...names].map((n) => `${this.layout.root}/${n}`);
  }
}

function readOr<T>(path: string, fallback: T): string | T {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return fallback;
  }
}
