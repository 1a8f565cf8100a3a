// Without a cgroup, a workload's tree is its shim's session plus the shim's descendants: the rule,
// on process tables made up for each case (the real thing is in test/cgroups.test.ts).
import { describe, expect, it } from '@jest/globals';
import type { ProcStat } from '../../host/proc.js';
import { sessionMembers, type TreeRef } from './tree.js';

const BOOT = 'boot';
const ref: TreeRef = {
  shim: { pid: 100, startTime: 5000, bootId: BOOT },
  leader: { pid: 101, startTime: 5001, bootId: BOOT },
  startedAtMs: 0,
};

function table(...rows: Array<[pid: number, ppid: number, sid: number, startTime?: number, state?: string]>) {
  return new Map<number, ProcStat>(
    rows.map(([pid, ppid, sid, startTime = 6000, state = 'S']) => [
      pid,
      { pid, ppid, pgid: pid, sid, state, comm: 'x', startTime },
    ]),
  );
}

describe('sessionMembers', () => {
  it("counts the shim's session and its descendants, never the shim itself", () => {
    const procs = table(
      [1, 0, 1],
      [100, 1, 100, 5000], // the shim
      [101, 100, 100, 5001], // the leader
      [102, 101, 100], // a child in its session
      [103, 100, 103], // escaped with setsid, then orphaned to the shim (a subreaper)
      [104, 103, 103], // its child
      [200, 1, 200], // unrelated
    );
    expect(sessionMembers(ref, procs).sort()).toEqual([101, 102, 103, 104]);
  });

  it('after the shim is gone: the session alone (its orphans belong to init or the launcher now)', () => {
    const procs = table([1, 0, 1], [102, 1, 100], [103, 1, 103], [200, 1, 200]);
    expect(sessionMembers(ref, procs)).toEqual([102]);
  });

  it("takes nothing when the shim's pid belongs to another process: that session is someone else's", () => {
    const procs = table([1, 0, 1], [100, 1, 100, 9999], [102, 100, 100]);
    expect(sessionMembers(ref, procs)).toEqual([]);
  });

  it('leaves out zombies', () => {
    const procs = table([100, 1, 100, 5000], [101, 100, 100, 5001, 'Z'], [102, 100, 100]);
    expect(sessionMembers(ref, procs)).toEqual([102]);
  });
});
