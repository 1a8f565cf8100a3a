// jest globalTeardown: removes the run's temp directory (see jest-global-setup.mjs), and first the
// cgroups of the run's agents: an agent runs its process workloads under its cgroup root
// (/mo/<node-id> by default) in every cgroup hierarchy, and one a test SIGKILLed (or left running
// workloads) leaves that behind. The roots are those testkit listed in <run dir>/cgroup-roots, and
// /mo/<node-id> of every agent data dir still in the run dir. Whatever runs in them is this run's.
import { existsSync, readdirSync, readFileSync, rmSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export default function globalTeardown() {
  const dir = process.env.MO_TEST_RUN_DIR;
  if (!dir) return;
  const roots = new Set(findNodeIds(dir, 4).map((id) => `/mo/${id}`));
  try {
    for (const r of readFileSync(join(dir, 'cgroup-roots'), 'utf8').split('\n')) {
      if (/^(\/[A-Za-z0-9._-]+)+$/.test(r) && !r.split('/').includes('..')) roots.add(r);
    }
  } catch {
    // no agent noted one
  }
  const mounts = cgroupMounts();
  for (const r of roots) for (const m of mounts) removeCgroupTree(join(m, r));
  rmSync(dir, { recursive: true, force: true });
}

/** The node ids of agent data dirs (<data-dir>/node-id) down to `depth` levels below dir. */
function findNodeIds(dir, depth) {
  const ids = [];
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return ids;
  }
  for (const e of entries) {
    if (e.isFile() && e.name === 'node-id') {
      const id = readFileSync(join(dir, e.name), 'utf8').trim();
      if (/^[A-Za-z0-9._-]+$/.test(id)) ids.push(id);
    } else if (e.isDirectory() && depth > 0 && e.name !== 'workloads') {
      ids.push(...findNodeIds(join(dir, e.name), depth - 1));
    }
  }
  return ids;
}

function cgroupMounts() {
  try {
    return readFileSync('/proc/self/mountinfo', 'utf8')
      .split('\n')
      .filter((l) => / - cgroup2? /.test(l))
      .map((l) => l.split(' ')[4]);
  } catch {
    return [];
  }
}

/** Kills what runs in a cgroup tree and removes it, deepest first (bounded: 2 s per cgroup). */
function removeCgroupTree(path) {
  if (!existsSync(path)) return;
  for (const e of readdirSync(path, { withFileTypes: true })) {
    if (e.isDirectory()) removeCgroupTree(join(path, e.name));
  }
  const deadline = Date.now() + 2000;
  for (;;) {
    let pids = [];
    try {
      pids = readFileSync(join(path, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean).map(Number);
    } catch {
      // gone
    }
    if (pids.length === 0) break;
    try {
      writeFileSync(join(path, 'cgroup.kill'), '1');
    } catch {
      for (const pid of pids) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // gone
        }
      }
    }
    if (Date.now() > deadline) break;
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
  }
  try {
    rmdirSync(path);
  } catch {
    // busy: left as it is
  }
}
