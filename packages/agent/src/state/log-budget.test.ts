// The log budget's rules: parsing --max-log-disk, the default share, and whose logs go first.
import { describe, expect, it } from '@jest/globals';
import { logBudgetBytes, logsToRemove, parseLogBudget, type WorkloadLogs } from './log-budget.js';

const GiB = 2 ** 30;

describe('parseLogBudget', () => {
  it.each([
    ['2Gi', { bytes: 2 * GiB }],
    ['500M', { bytes: 500e6 }],
    ['1048576', { bytes: 1048576 }],
    ['15%', { percent: 15 }],
    [' 2.5% ', { percent: 2.5 }],
    ['100%', { percent: 100 }],
  ])('reads %j', (text, setting) => {
    expect(parseLogBudget(text)).toEqual(setting);
  });

  it.each([
    ['0', /at least 1 byte/],
    ['0%', /above 0% and at most 100%/],
    ['101%', /above 0% and at most 100%/],
    ['lots', /expected a size like 2Gi or 500M, or a share of the data dir's filesystem like 10%, got "lots"/],
    ['-5%', /expected a size/],
  ])('refuses %j', (text, message) => {
    expect(() => parseLogBudget(text)).toThrow(message);
  });
});

describe('logBudgetBytes', () => {
  it('defaults to 10% of the filesystem, at most 4 GiB (journald’s rule)', () => {
    expect(logBudgetBytes(undefined, 10 * GiB)).toBe(GiB);
    expect(logBudgetBytes(undefined, 100 * GiB)).toBe(4 * GiB);
    expect(logBudgetBytes(undefined, 0)).toBe(4 * GiB); // size unknown
  });

  it('takes a size as it is, and a share of the filesystem without the cap', () => {
    expect(logBudgetBytes({ bytes: 12345 }, 100 * GiB)).toBe(12345);
    expect(logBudgetBytes({ percent: 50 }, 100 * GiB)).toBe(50 * GiB);
    expect(logBudgetBytes({ percent: 1 }, 1)).toBe(1); // never 0
  });
});

describe('logsToRemove', () => {
  const ended = (id: string, bytes: number, endedAtMs: number): WorkloadLogs => ({ id, bytes, endedAtMs });
  const running = (id: string, bytes: number): WorkloadLogs => ({ id, bytes });

  it('removes nothing within the budget', () => {
    expect(logsToRemove([ended('a', 50, 1), running('r', 50)], 100)).toEqual([]);
  });

  it('removes the longest-ended first, only as many as needed, never a running one', () => {
    const logs = [ended('new', 40, 300), running('r', 500), ended('old', 40, 100), ended('mid', 40, 200)];
    expect(logsToRemove(logs, 580)).toEqual(['old']);
    expect(logsToRemove(logs, 540)).toEqual(['old', 'mid']);
  });

  it('removes every ended one when the running ones alone are over, and skips empty ones', () => {
    const logs = [ended('a', 10, 1), ended('empty', 0, 0), ended('b', 10, 2), running('r', 1000)];
    expect(logsToRemove(logs, 100)).toEqual(['a', 'b']);
  });

  it('orders ties by id, so a pass is reproducible', () => {
    expect(logsToRemove([ended('b', 10, 5), ended('a', 10, 5)], 10)).toEqual(['a']);
  });
});
