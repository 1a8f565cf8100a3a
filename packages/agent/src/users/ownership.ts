// Giving what the agent made to a workload's user.
import { lchownSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/**
 * lchowns `dir` and everything below it (never through a symlink). For trees only the agent could
 * write so far (a workload's work dir with the inputs it fetched, a sandbox dir): bounded by what
 * the agent put there (at most LIMITS.artifactInputs files).
 */
export function chownTree(dir: string, uid: number, gid: number): void {
  lchownSync(dir, uid, gid);
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) chownTree(path, uid, gid);
    else lchownSync(path, uid, gid);
  }
}
