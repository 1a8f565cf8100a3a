import { describe, expect, it } from '@jest/globals';
import { parseShimRecord, planLeftovers, sessionMembers, type ProcEntry, type ShimRecord } from './leftovers.js';

/** [pid, ppid, pgid, sid, startTime, state?] */
type Row = [number, number, number, number, number, string?];
const table = (...rows: Row[]): Map<number, ProcEntry> =>
  new Map(
    rows.map(([pid, ppid, pgid, sid, startTime, state = 'S']) => [pid, { pid, ppid, pgid, sid, startTime, state }]),
  );

// A shim (100, its own session) running a workload (101, its own group) with a child (102) and an
// escapee that left the session and was adopted by the shim (103) with a child of its own (104);
// plus init and an unrelated process.
const INIT: Row = [1, 0, 1, 1, 1];
const SHIM: Row = [100, 1, 100, 100, 500];
const LEADER: Row = [101, 100, 101, 100, 501];
const CHILD: Row = [102, 101, 101, 100, 502];
const ESCAPEE: Row = [103, 100, 103, 103, 503];
const ITS_CHILD: Row = [104, 103, 103, 103, 504];
const OTHER: Row = [200, 1, 200, 200, 10];
const RECORD: ShimRecord = { id: 'w1', pid: 101, startTime: 501, shimPid: 100, shimStartTime: 500 };

const pids = (ps: ProcEntry[]) => ps.map((p) => p.pid).sort((a, b) => a - b);
function plan(records: ShimRecord[], ...rows: Row[]) {
  const p = planLeftovers(records, table(...rows));
  return { leaders: pids(p.leaders), strays: pids(p.strays), shims: pids(p.shims), workloads: p.workloads };
}

describe('planLeftovers', () => {
  it('finds the workload group, everything its shim adopted, and the shim; nothing else', () => {
    expect(plan([RECORD], INIT, SHIM, LEADER, CHILD, ESCAPEE, ITS_CHILD, OTHER)).toEqual({
      leaders: [101],
      strays: [102, 103, 104],
      shims: [100],
      workloads: ['w1'],
    });
  });

  it('touches nothing when the pids now belong to other processes (start times differ)', () => {
    expect(plan([RECORD], INIT, [100, 1, 100, 100, 900], [101, 1, 101, 101, 901], OTHER)).toEqual({
      leaders: [],
      strays: [],
      shims: [],
      workloads: [],
    });
  });

  it('with the shim gone, still finds the workload through its live leader (group and session)', () => {
    const orphanLeader: Row = [101, 1, 101, 100, 501];
    // The escapee, now under init in its own session, is out of reach without the shim (a cgroup
    // sweep is what finds it).
    expect(plan([RECORD], INIT, orphanLeader, CHILD, [103, 1, 103, 103, 503], OTHER)).toEqual({
      leaders: [101],
      strays: [102],
      shims: [],
      workloads: ['w1'],
    });
  });

  it('with the leader gone, finds what is left in the shim’s session and below it', () => {
    expect(plan([RECORD], INIT, SHIM, [102, 100, 101, 100, 502], ESCAPEE, OTHER)).toEqual({
      leaders: [],
      strays: [102, 103],
      shims: [100],
      workloads: ['w1'],
    });
  });

  it('counts a zombie leader as gone, and a process older than the shim as not of its session', () => {
    const zombie: Row = [101, 100, 101, 100, 501, 'Z'];
    const older: Row = [150, 1, 150, 100, 400];
    expect(plan([RECORD], INIT, SHIM, zombie, older)).toEqual({
      leaders: [],
      strays: [],
      shims: [100],
      workloads: ['w1'],
    });
  });

  it('reads records of older shims (no shim pid) by the leader alone', () => {
    expect(plan([{ id: 'old', pid: 101, startTime: 501 }], INIT, SHIM, LEADER, CHILD)).toEqual({
      leaders: [101],
      strays: [102],
      shims: [],
      workloads: ['old'],
    });
  });

  it('lists each process once across several workloads', () => {
    const second: ShimRecord = { id: 'w2', pid: 301, startTime: 601, shimPid: 300, shimStartTime: 600 };
    expect(
      plan([RECORD, second, RECORD], INIT, SHIM, LEADER, CHILD, [300, 1, 300, 300, 600], [301, 300, 301, 300, 601]),
    ).toEqual({ leaders: [101, 301], strays: [102], shims: [100, 300], workloads: ['w1', 'w2'] });
  });
});

describe('sessionMembers', () => {
  it('lists the live members of a session that started after its leader', () => {
    const procs = table(INIT, [50, 1, 50, 40, 700], [51, 50, 50, 40, 701, 'Z'], [52, 1, 52, 40, 100], OTHER);
    expect(pids(sessionMembers(procs, 40, 690))).toEqual([50]);
  });
});

describe('parseShimRecord', () => {
  it('reads the shim’s line', () => {
    expect(parseShimRecord('w', '{"pid":5,"startTime":9,"shimPid":4,"shimStartTime":8,"startedAtMs":1}\n')).toEqual({
      id: 'w',
      pid: 5,
      startTime: 9,
      shimPid: 4,
      shimStartTime: 8,
    });
    expect(parseShimRecord('w', '{"pid":5,"startTime":9}')).toEqual({ id: 'w', pid: 5, startTime: 9 });
  });

  it.each([[''], ['{"pid":5'], ['null'], ['{"pid":0,"startTime":9}'], ['{"pid":-1,"startTime":9}'], ['{"pid":5}']])(
    'refuses %j',
    (text) => {
      expect(parseShimRecord('w', text)).toBeUndefined();
    },
  );
});
