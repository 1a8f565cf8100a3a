import { describe, expect, it } from '@jest/globals';
import { formatLogLine } from './log-lines.js';

describe('formatLogLine', () => {
  it('puts time, level and message first, then the fields as key=value', () => {
    const line = JSON.stringify({
      ts: '2026-01-02T12:00:01.123Z',
      level: 'info',
      msg: 'agent ready',
      grpc: '127.0.0.1:7610',
      reason: 'two words',
      n: 3,
    });
    expect(formatLogLine(line)).toEqual({
      text: '12:00:01.123 info  agent ready grpc=127.0.0.1:7610 reason="two words" n=3',
      fields: expect.objectContaining({ msg: 'agent ready' }),
    });
  });

  it("shows an error's message and causes, not its stack (that stays in the JSON log)", () => {
    const line = JSON.stringify({
      ts: '2026-01-02T12:00:01.123Z',
      level: 'warn',
      msg: 'cannot register',
      err: 'register failed',
      errCause: ['connect ECONNREFUSED'],
      errStack: 'Error: register failed\n    at x (y.js:1:1)',
    });
    expect(formatLogLine(line).text).toBe(
      '12:00:01.123 warn  cannot register err="register failed" errCause=["connect ECONNREFUSED"]',
    );
  });

  it.each([['plain text'], ['{not json'], ['[1,2]']])('passes %j through as it is', (line) => {
    expect(formatLogLine(line)).toEqual({ text: line });
  });
});
