// Parsers of cgroup files, and the CPU rate computed from cumulative CPU time.
import { describe, expect, it } from '@jest/globals';
import { CpuRate, cpuUsageUs, parseFlatKeyed, parsePids } from './stats.js';

describe('cgroup file parsers', () => {
  it('reads flat keyed files, ignoring what is not "key number"', () => {
    expect(parseFlatKeyed('populated 1\nfrozen 0\n')).toEqual(
      new Map([
        ['populated', 1],
        ['frozen', 0],
      ]),
    );
    expect(parseFlatKeyed('some avg10=0.00 avg60=0.00\noom_kill 3\n').get('oom_kill')).toBe(3);
  });

  it('reads CPU time from v2 cpu.stat (µs) and v1 cpuacct.usage (ns)', () => {
    expect(cpuUsageUs(2, 'usage_usec 1500000\nuser_usec 1000000\nsystem_usec 500000\n')).toBe(1_500_000);
    expect(cpuUsageUs(1, '2500000999\n')).toBe(2_500_000);
    expect(cpuUsageUs(2, '')).toBeUndefined();
    expect(cpuUsageUs(1, '')).toBeUndefined();
  });

  it('lists the pids of cgroup.procs', () => {
    expect(parsePids('12\n345\n')).toEqual([12, 345]);
    expect(parsePids('')).toEqual([]);
  });
});

describe('CpuRate', () => {
  it('averages over the life of the workload first, then over the time since the last reading', () => {
    const rate = new CpuRate(250);
    // 1 s of CPU in the first 2 s of its life: 50 %.
    expect(rate.percent('w', 1_000_000, 12_000, 10_000)).toBeCloseTo(50);
    // 1 more second of CPU in the next second: 100 %.
    expect(rate.percent('w', 2_000_000, 13_000, 10_000)).toBeCloseTo(100);
  });

  it('keeps the last rate for a reading sooner than the window, instead of a noisy one', () => {
    const rate = new CpuRate(250);
    rate.percent('w', 0, 1_000, 0);
    expect(rate.percent('w', 1_000_000, 2_000, 0)).toBeCloseTo(100);
    expect(rate.percent('w', 1_001_000, 2_010, 0)).toBeCloseTo(100);
  });

  it('forgets workloads not read for a while (they ended)', () => {
    const rate = new CpuRate(250);
    rate.percent('w', 1_000_000, 2_000, 1_000);
    rate.forgetOlder(2_001);
    // A first reading again: the average since the start.
    expect(rate.percent('w', 1_000_000, 3_000, 1_000)).toBeCloseTo(50);
  });
});
