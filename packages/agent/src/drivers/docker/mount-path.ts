// Can a mount source be swapped between the agent's check and Docker's mount? The agent hands
// dockerd a path, and dockerd (then runc) resolves it again later, in another process: a pinned
// file descriptor (O_PATH, /proc/self/fd/N) means nothing there, and /proc/<agent>/fd/N would be
// read back as a path string. So the path itself must be one nobody untrusted can change: every
// directory on it, from / down, owned by root or the agent's user and not writable by anyone else
// (a sticky directory such as /tmp is fine when the next entry is trusted too: sticky lets only
// that entry's owner rename or remove it). Then what the agent checked is what Docker mounts.
// Mode bits only: a POSIX ACL that grants another user write shows as group write here.
import { lstatSync } from 'node:fs';
import { sep } from 'node:path';

/** One path component as lstat saw it. */
export interface PathEntry {
  path: string;
  uid: number;
  mode: number;
  isDirectory: boolean;
  isSymlink: boolean;
}

const STICKY = 0o1000;
const GROUP_OR_OTHER_WRITE = 0o022;

/**
 * Why the path `entries` lead to (from / down to the mount source itself, as lstat saw them) could
 * be swapped by a user not in `trusted`; undefined when it cannot. The source itself may be
 * anyone's: what is in it is the mount's content, and Docker does not resolve below it.
 */
export function swapRisk(entries: readonly PathEntry[], trusted: ReadonlySet<number>): string | undefined {
  for (const [i, e] of entries.entries()) {
    if (e.isSymlink) return `${e.path} became a symlink while it was checked`;
    const next = entries[i + 1];
    if (!next) break;
    if (!e.isDirectory) return `${e.path} is not a directory`;
    if (!trusted.has(e.uid)) return `${e.path} is owned by uid ${e.uid}`;
    if ((e.mode & GROUP_OR_OTHER_WRITE) !== 0 && !((e.mode & STICKY) !== 0 && trusted.has(next.uid))) {
      const who = (e.mode & 0o002) !== 0 ? 'anyone' : 'its group';
      return `${e.path} is writable by ${who} (mode ${(e.mode & 0o7777).toString(8).padStart(4, '0')})`;
    }
  }
  return undefined;
}

/** lstat of every component of the absolute, resolved `path`, from / down; throws as lstat does. */
export function pathEntries(path: string): PathEntry[] {
  const parts = path.split(sep).filter(Boolean);
  const paths = ['/', ...parts.map((_, i) => '/' + parts.slice(0, i + 1).join('/'))];
  return paths.map((p) => {
    const st = lstatSync(p);
    return { path: p, uid: st.uid, mode: st.mode, isDirectory: st.isDirectory(), isSymlink: st.isSymbolicLink() };
  });
}

/**
 * Why mounts under the resolved directory `root` could be swapped whatever lies below it
 * (undefined when they cannot): the root and every directory above it must be trusted, as for a
 * source's own path; a sticky root (/tmp) leaves it to each source's own entries.
 */
export function mountRootRisk(root: string, trusted = trustedUids()): string | undefined {
  const below: PathEntry = { path: `${root}/…`, uid: 0, mode: 0o40755, isDirectory: true, isSymlink: false };
  return swapRisk([...pathEntries(root), below], trusted);
}

/** Root and the user this process runs as: the only ones who may change a mount source's path. */
export function trustedUids(): ReadonlySet<number> {
  return new Set([0, process.getuid?.() ?? 0]);
}
