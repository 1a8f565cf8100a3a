import { describe, expect, it } from '@jest/globals';
import { UsageError } from './errors.js';
import {
  parseChoice,
  parseCount,
  parseCpuMillis,
  parseDuration,
  parseEnv,
  parseLabels,
  parseSize,
  parseTimeout,
} from './flags.js';

describe('parseEnv', () => {
  it.each([
    [['A=1'], { A: '1' }],
    [['A=1', 'B=2'], { A: '1', B: '2' }],
    [['URL=a=b=c'], { URL: 'a=b=c' }],
    [['EMPTY='], { EMPTY: '' }],
    [['A=1', 'A=2'], { A: '2' }],
    [[], {}],
  ])('parses %j into %j', (values, expected) => {
    expect(parseEnv(values)).toEqual(expected);
  });

  it.each([['bad'], ['=1'], ['']])('rejects %j naming --env', (value) => {
    expect(() => parseEnv([value])).toThrow(new UsageError(`expected K=V, got ${JSON.stringify(value)}`, '--env'));
  });

  it('reports the exact message a user sees', () => {
    expect(() => parseEnv(['x'])).toThrow('--env: expected K=V, got "x"');
  });
});

describe('parseLabels', () => {
  it('parses k=v pairs', () => {
    expect(parseLabels(['team=core', 'tier=web'])).toEqual({ team: 'core', tier: 'web' });
  });

  it('rejects a label without = naming --label', () => {
    expect(() => parseLabels(['team'])).toThrow('--label: expected k=v, got "team"');
  });
});

describe('parseSize', () => {
  it.each([
    ['1', 1],
    ['1048576', 1048576],
    ['1k', 1000],
    ['1K', 1000],
    ['512Mi', 512 * 2 ** 20],
    ['1Gi', 2 ** 30],
    ['1.5Gi', 1.5 * 2 ** 30],
    ['1G', 1e9],
    ['2M', 2e6],
    ['1Ti', 2 ** 40],
    [' 64Mi ', 64 * 2 ** 20],
  ])('parses %j as %d bytes', (value, bytes) => {
    expect(parseSize(value)).toBe(bytes);
  });

  it.each([
    ['', 'expected'],
    ['x', 'expected'],
    ['1x', 'expected'],
    ['1m', 'expected'],
    ['-1', 'expected'],
    ['1 Gi', 'expected'],
    ['0', 'must be at least 1 byte'],
    ['0.1', 'must be at least 1 byte'],
    ['99999999Ti', 'too large'],
  ])('rejects %j (%s) naming --memory', (value, problem) => {
    expect(() => parseSize(value)).toThrow(new RegExp(`^--memory: ${problem}`));
  });
});

describe('parseDuration', () => {
  it.each([
    ['500ms', 500],
    ['10s', 10_000],
    ['1.5s', 1500],
    ['2m', 120_000],
    ['1m30s', 90_000],
    ['1h', 3_600_000],
    ['1h2m3s4ms', 3_723_004],
    ['0s', 0],
  ])('parses %j as %d ms', (value, ms) => {
    expect(parseDuration(value, '--grace')).toBe(ms);
  });

  it.each([[''], ['s'], ['10x'], ['-1s'], ['10 s'], ['1d'], ['1s2']])('rejects %j naming the flag', (value) => {
    expect(() => parseDuration(value, '--grace')).toThrow(
      `--grace: expected a duration like 10s, 500ms or 1m30s, got ${JSON.stringify(value)}`,
    );
  });
});

describe('parseTimeout', () => {
  it.each([
    ['5s', 5000],
    ['250ms', 250],
  ])('parses %j as %d ms', (value, ms) => {
    expect(parseTimeout(value)).toBe(ms);
  });

  it.each([['0s'], ['abc'], ['-5']])('rejects %j naming --timeout', (value) => {
    expect(() => parseTimeout(value)).toThrow(/^--timeout: /);
  });

  it.each([
    ['5', '--timeout: "5" has no unit; use a unit: 5s or 5000ms'],
    ['1.5', '--timeout: "1.5" has no unit; use a unit: 1.5s or 1500ms'],
    ['0', '--timeout: "0" has no unit; use a unit: 0s or 0ms'],
  ])('refuses a bare number %j with a hint', (value, message) => {
    expect(() => parseTimeout(value)).toThrow(message);
  });

  it.each([['--grace'], ['--wait-timeout'], ['--run-timeout'], ['--lost-after']])(
    'refuses a bare number for %s too, naming it',
    (flag) => {
      expect(() => parseDuration('10', flag)).toThrow(`${flag}: "10" has no unit; use a unit: 10s or 10000ms`);
    },
  );
});

describe('parseCount and parseCpuMillis', () => {
  it('accepts whole numbers', () => {
    expect(parseCount('0', '--tail')).toBe(0);
    expect(parseCount('20', '--tail')).toBe(20);
  });

  it.each([
    ['500m', 500],
    ['0.5', 500],
    ['.25', 250],
    ['2', 2000],
    ['1.5', 1500],
    ['1m', 1],
    [' 250m ', 250],
  ])('reads --cpu %j as %d millicores', (value, millis) => {
    expect(parseCpuMillis(value)).toBe(millis);
  });

  it.each([['-1'], ['1.5'], ['ten'], ['']])('rejects %j as a --tail count', (value) => {
    expect(() => parseCount(value, '--tail')).toThrow(`--tail: expected a whole number, got ${JSON.stringify(value)}`);
  });

  it('enforces an upper bound', () => {
    expect(() => parseCount('3000000000', '--tail', 2 ** 31 - 1)).toThrow(/^--tail: must be at most 2147483647/);
  });

  it.each([['half'], ['-1'], ['500M'], ['1 core'], ['']])('rejects %j as --cpu', (value) => {
    expect(() => parseCpuMillis(value)).toThrow(/^--cpu: expected cores \(0\.5, 2\) or millicores \(500m\)/);
  });

  it.each([['0'], ['0m'], ['0.0001'], ['1.5m']])('rejects %j: below or between millicores', (value) => {
    expect(() => parseCpuMillis(value)).toThrow(/^--cpu: must be a whole number of millicores/);
  });
});

describe('parseChoice', () => {
  it('accepts one of the words, in any case', () => {
    expect(parseChoice('Spread', '--strategy', ['binpack', 'spread'])).toBe('spread');
  });

  it('lists the words when the value is not one of them', () => {
    expect(() => parseChoice('fast', '--priority', ['high', 'normal', 'low'])).toThrow(
      '--priority: expected high, normal, low; got "fast"',
    );
  });
});
