import { describe, expect, it } from '@jest/globals';
import {
  CpuSampler,
  readBootId,
  readCpuTimes,
  readLoadAvg,
  readMemInfo,
  readMountinfo,
  readProcStat,
  readVmRss,
  type CpuTimes,
} from './proc.js';

const STAT = `cpu  100 5 50 800 20 3 2 10 7 1
cpu0 50 2 25 400 10 1 1 5 3 0
intr 12345 0 0
ctxt 999
btime 1700000000
`;

const MEMINFO = `MemTotal:        8000000 kB
MemFree:         1000000 kB
MemAvailable:    6000000 kB
Buffers:          100000 kB
`;

describe('readCpuTimes', () => {
  it('sums user..steal, counts iowait as idle and leaves out guest time', () => {
    expect(readCpuTimes(STAT)).toEqual({ idle: 820, total: 100 + 5 + 50 + 800 + 20 + 3 + 2 + 10 });
  });

  it('accepts an old kernel line without steal/guest columns', () => {
    expect(readCpuTimes('cpu  1 2 3 4\n')).toEqual({ idle: 4, total: 10 });
  });

  it('throws when there is no aggregate cpu line', () => {
    expect(() => readCpuTimes('cpu0 1 2 3 4\n')).toThrow(/no aggregate "cpu" line/);
  });

  it('reads this machine', () => {
    const t = readCpuTimes();
    expect(t.total).toBeGreaterThan(0);
    expect(t.idle).toBeLessThanOrEqual(t.total);
  });
});

describe('CpuSampler', () => {
  it('reports the busy share of the interval since the previous sample', () => {
    const samples: CpuTimes[] = [
      { idle: 50, total: 100 },
      { idle: 75, total: 200 },
      { idle: 175, total: 300 },
    ];
    const sampler = new CpuSampler(() => samples.shift()!);
    expect(sampler.sample()).toBeCloseTo(0.5);
    expect(sampler.sample()).toBeCloseTo(0.75);
    expect(sampler.sample()).toBeCloseTo(0);
  });

  it('reports 0 when no time has passed and clamps odd counters into [0, 1]', () => {
    const samples: CpuTimes[] = [
      { idle: 10, total: 100 },
      { idle: 10, total: 100 },
      { idle: 5, total: 110 },
    ];
    const sampler = new CpuSampler(() => samples.shift()!);
    sampler.sample();
    expect(sampler.sample()).toBe(0);
    expect(sampler.sample()).toBe(1);
  });

  it('measures a real busy loop as a ratio in [0, 1]', () => {
    const sampler = new CpuSampler();
    sampler.sample();
    const until = Date.now() + 50;
    let x = 0;
    while (Date.now() < until) x += Math.sqrt(x + 1);
    const u = sampler.sample();
    expect(x).toBeGreaterThan(0);
    expect(u).toBeGreaterThanOrEqual(0);
    expect(u).toBeLessThanOrEqual(1);
  });
});

describe('readMemInfo', () => {
  it('converts MemTotal and MemAvailable from kB to bytes', () => {
    expect(readMemInfo(MEMINFO)).toEqual({ totalBytes: 8000000 * 1024, availableBytes: 6000000 * 1024 });
  });

  it('throws naming the missing key', () => {
    expect(() => readMemInfo('MemTotal: 1 kB\n')).toThrow(/MemAvailable/);
  });

  it('reads this machine: total > available > 0', () => {
    const m = readMemInfo();
    expect(m.availableBytes).toBeGreaterThan(0);
    expect(m.totalBytes).toBeGreaterThan(m.availableBytes);
  });
});

describe('readLoadAvg', () => {
  it('parses the three averages', () => {
    expect(readLoadAvg('0.52 1.25 2.00 3/456 7890\n')).toEqual({ load1: 0.52, load5: 1.25, load15: 2 });
  });

  it('throws on garbage', () => {
    expect(() => readLoadAvg('nope')).toThrow(/malformed/);
  });

  it('reads this machine', () => {
    const l = readLoadAvg();
    expect(l.load1).toBeGreaterThanOrEqual(0);
  });
});

describe('readBootId', () => {
  it('trims the fixture', () => {
    expect(readBootId('abc-123\n')).toBe('abc-123');
  });

  it('reads a uuid on this machine', () => {
    expect(readBootId()).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  });
});

describe('readProcStat', () => {
  // Fields after comm: state ppid pgrp session tty_nr tpgid flags minflt cminflt majflt cmajflt utime stime
  // cutime cstime priority nice num_threads itrealvalue starttime ...
  const line = (comm: string) =>
    `4242 (${comm}) S 1 4240 4100 0 -1 4194304 10 0 0 0 1 2 0 0 20 0 1 0 987654 3133440 375 18446744073709551615\n`;

  it.each([
    ['a plain name', 'sleep'],
    ['spaces', 'my worker'],
    ['parentheses and spaces', '(a) b)'],
    ['a trailing ") S 9 9 9"', 'x) S 9 9 9'],
  ])('parses fields after the last ")" when comm contains %s', (_, comm) => {
    expect(readProcStat(4242, line(comm))).toEqual({
      pid: 4242,
      comm,
      state: 'S',
      ppid: 1,
      pgid: 4240,
      sid: 4100,
      startTime: 987654,
    });
  });

  it('throws on a truncated line', () => {
    expect(() => readProcStat(1, '1 (init) S 0 1')).toThrow(/bad field/);
  });

  it('reads its own process', () => {
    const s = readProcStat(process.pid);
    expect(s).toBeDefined();
    expect(s!.pid).toBe(process.pid);
    expect(s!.ppid).toBe(process.ppid);
    expect(Number.isInteger(s!.pgid)).toBe(true);
    expect(s!.pgid).toBeGreaterThan(0);
    expect(Number.isInteger(s!.sid)).toBe(true);
    expect(s!.startTime).toBeGreaterThan(0);
    // The start time never changes for a live process: that is what makes pid + start time an identity.
    expect(readProcStat(process.pid)!.startTime).toBe(s!.startTime);
  });

  it('returns undefined for a process that does not exist', () => {
    // pid_max is at most 2^22, so this pid can never exist.
    expect(readProcStat(2 ** 22 + 1)).toBeUndefined();
    expect(readProcStat(-1)).toBeUndefined();
  });
});

describe('readVmRss', () => {
  it('converts VmRSS from kB to bytes, and reads 0 for a process without one (a zombie)', () => {
    expect(readVmRss(7, 'Name:\tsleep\nVmPeak:\t  9000 kB\nVmRSS:\t  1532 kB\nThreads:\t1\n')).toBe(1532 * 1024);
    expect(readVmRss(7, 'Name:\tsleep\nState:\tZ (zombie)\n')).toBe(0);
  });

  it('reads its own process, and undefined for one that does not exist', () => {
    expect(readVmRss(process.pid)).toBeGreaterThan(1024 * 1024);
    expect(readVmRss(2 ** 22 + 1)).toBeUndefined();
    expect(readVmRss(0)).toBeUndefined();
  });
});

describe('readMountinfo', () => {
  it("reads this process's mount table, the root mount included", () => {
    expect(readMountinfo().split('\n')).toContainEqual(expect.stringMatching(/^\d+ \d+ \d+:\d+ \S+ \/ /));
  });
});
