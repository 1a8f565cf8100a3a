import { describe, expect, it } from '@jest/globals';
import { buildLogsRequest } from './logs.js';

describe('buildLogsRequest', () => {
  it.each([
    [{}, { stream: 'LOG_STREAM_UNSPECIFIED', tailLines: 0, follow: false }],
    [{ stdout: true }, { stream: 'LOG_STREAM_STDOUT', tailLines: 0, follow: false }],
    [
      { stderr: true, tail: '20', follow: true },
      { stream: 'LOG_STREAM_STDERR', tailLines: 20, follow: true },
    ],
  ])('turns flags %j into %j', (flags, expected) => {
    expect(buildLogsRequest('w1', flags)).toEqual({ workloadId: 'w1', ...expected });
  });

  it('refuses --stdout with --stderr', () => {
    expect(() => buildLogsRequest('w1', { stdout: true, stderr: true })).toThrow(/^--stdout: cannot be combined/);
  });

  it.each([['-1'], ['x'], ['99999999999']])('refuses --tail %j', (tail) => {
    expect(() => buildLogsRequest('w1', { tail })).toThrow(/^--tail: /);
  });
});
