import { describe, expect, it } from '@jest/globals';
import { commandLine, exitText, humanBytes, humanDuration, percent, stateName, timestamp, truncate } from './format.js';

describe('humanBytes', () => {
  it.each([
    [0, '0 B'],
    [512, '512 B'],
    [1024, '1 KiB'],
    [1536, '1.5 KiB'],
    [10 * 1024 * 1024, '10 MiB'],
    [1.5 * 2 ** 30, '1.5 GiB'],
    [123.4 * 2 ** 30, '123 GiB'],
    [2 ** 50, '1 PiB'],
    [-1, '-'],
  ])('formats %d as %j', (bytes, text) => {
    expect(humanBytes(bytes)).toBe(text);
  });
});

describe('humanDuration', () => {
  it.each([
    [0, '0ms'],
    [500, '500ms'],
    [1500, '1.5s'],
    [42_000, '42s'],
    [192_000, '3m12s'],
    [7_500_000, '2h5m'],
    [2 * 86_400_000 + 3_600_000, '2d1h'],
    [-5, '-'],
  ])('formats %d ms as %j', (ms, text) => {
    expect(humanDuration(ms)).toBe(text);
  });
});

describe('workload fields', () => {
  it.each([
    ['WORKLOAD_STATE_RUNNING', 'running'],
    ['WORKLOAD_STATE_SUCCEEDED', 'succeeded'],
    ['WORKLOAD_STATE_LOST', 'lost'],
  ])('names state %s as %j', (state, name) => {
    expect(stateName(state)).toBe(name);
  });

  it.each([
    [{ exited: true, exitCode: 0, signal: '', finishedAtMs: 1 }, 'exit 0'],
    [{ exited: true, exitCode: 3, signal: '', finishedAtMs: 1 }, 'exit 3'],
    [{ exited: false, exitCode: 0, signal: 'SIGKILL', finishedAtMs: 1 }, 'SIGKILL'],
    [{ exited: false, exitCode: 0, signal: '', finishedAtMs: 0 }, ''],
    [null, ''],
  ])('describes exit %j as %j', (exit, text) => {
    expect(exitText(exit)).toBe(text);
  });

  it('formats a fraction as a percentage', () => {
    expect(percent(0.1234)).toBe('12.3%');
  });
});

describe('commandLine', () => {
  it.each([
    [['sleep', '10'], 'sleep 10'],
    [['sh', '-c', 'echo hi'], "sh -c 'echo hi'"],
    [['echo', "it's"], "echo 'it'\\''s'"],
    [['printf', ''], "printf ''"],
    [['/usr/bin/env', 'A=1', '--flag=x'], '/usr/bin/env A=1 --flag=x'],
  ])('displays %j as %s', (argv, text) => {
    expect(commandLine(argv)).toBe(text);
  });

  it('truncates with an ellipsis', () => {
    expect(truncate('abcdefgh', 5)).toBe('abcd…');
    expect(truncate('abc', 5)).toBe('abc');
  });
});

describe('timestamp', () => {
  it('shows ISO time and how long ago', () => {
    expect(timestamp(Date.UTC(2025, 0, 1, 10, 0, 0), Date.UTC(2025, 0, 1, 10, 3, 12))).toBe(
      '2025-01-01T10:00:00.000Z (3m12s ago)',
    );
  });

  it('shows a dash for an unset time', () => {
    expect(timestamp(0, 1000)).toBe('-');
  });
});
