// Workloads that run as other users than the agent must reach their own dirs under the agent's
// data dir (`<data dir>/workloads/<id>/work`): every directory above must let the default user
// pass. The data dir is the agent's: it is made passable to others (o+x, not listable). A directory
// above it is not the agent's to change: it is named in a warning at start (starts would fail with
// "chdir ...: Permission denied" otherwise, e.g. a data dir under /root or in a mkdtemp dir).
import { chmodSync, statSync } from 'node:fs';
import { dirname } from 'node:path';

export interface DirFacts {
  path: string;
  /** st_mode & 0o7777 */
  mode: number;
  uid: number;
  gid: number;
}

export interface ReachPlan {
  /** Directories to give o+x (the data dir, when it is the agent's). */
  chmod: DirFacts[];
  /** The first directory above that the user cannot pass, if any. */
  blocked?: DirFacts;
}

/** Whether `user` may pass through `d` (search permission, as the kernel decides it). */
function passable(d: DirFacts, user: { uid: number; groups: readonly number[] }): boolean {
  if (d.uid === user.uid) return (d.mode & 0o100) !== 0;
  if (user.groups.includes(d.gid)) return (d.mode & 0o010) !== 0;
  return (d.mode & 0o001) !== 0;
}

/** Pure: `chain` is every directory from / down to the data dir (the last); `user` the default user. */
export function planReach(
  chain: readonly DirFacts[],
  agentUid: number,
  user: { uid: number; groups: readonly number[] },
): ReachPlan {
  const plan: ReachPlan = { chmod: [] };
  chain.forEach((d, i) => {
    if (passable(d, user)) return;
    if (i === chain.length - 1 && d.uid === agentUid) plan.chmod.push(d);
    else plan.blocked ??= d;
  });
  return plan;
}

/** Applies planReach to `dataDir` (absolute); returns the blocked dir for the caller to report. */
export function makeReachable(
  dataDir: string,
  agentUid: number,
  user: { uid: number; groups: readonly number[] },
): { chmodded: string[]; blocked?: DirFacts } {
  const chain: DirFacts[] = [];
  for (let p = dataDir; ; p = dirname(p)) {
    const st = statSync(p);
    chain.unshift({ path: p, mode: st.mode & 0o7777, uid: st.uid, gid: st.gid });
    if (p === dirname(p)) break;
  }
  const plan = planReach(chain, agentUid, user);
  for (const d of plan.chmod) chmodSync(d.path, d.mode | 0o001);
  return { chmodded: plan.chmod.map((d) => d.path), ...(plan.blocked && { blocked: plan.blocked }) };
}
