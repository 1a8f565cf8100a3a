import { describe, expect, it } from '@jest/globals';
import { MoError, NotFoundError, UnavailableError } from '@mo/api';
import { CommanderError } from 'commander';
import { AgentFailedError, ExitCode, UsageError, describeFailure, tidyConnectError } from './errors.js';

describe('describeFailure', () => {
  it.each([
    [
      new UsageError('expected K=V, got "x"', '--env'),
      ExitCode.Usage,
      'INVALID_ARGUMENT',
      '--env: expected K=V, got "x"',
    ],
    [
      new CommanderError(1, 'commander.unknownOption', "error: unknown option '--x'"),
      ExitCode.Usage,
      'INVALID_ARGUMENT',
      "unknown option '--x'",
    ],
    [new NotFoundError('workload_id', 'workload', 'w1'), ExitCode.Failed, 'NOT_FOUND', 'workload_id: no workload "w1"'],
    [new MoError(13, 'boom'), ExitCode.Failed, 'INTERNAL', 'boom'],
    [
      new UnavailableError('127.0.0.1:1', '127.0.0.1:1: connect ECONNREFUSED 127.0.0.1:1'),
      ExitCode.Unreachable,
      'UNAVAILABLE',
      'cannot reach agent at 127.0.0.1:1: connect ECONNREFUSED 127.0.0.1:1',
    ],
    [
      new AgentFailedError('cannot load @mo/agent', new Error('nope')),
      ExitCode.Failed,
      'UNKNOWN',
      'agent: cannot load @mo/agent: nope',
    ],
  ])('maps %p to exit %d, code %s', (err, exitCode, code, message) => {
    const failure = describeFailure(err);
    expect(failure).toEqual({ exitCode, code, message });
  });

  it('keeps the stack of an unexpected error, which is a bug worth a trace', () => {
    const failure = describeFailure(new TypeError('x is undefined'));
    expect(failure).toMatchObject({
      exitCode: ExitCode.Failed,
      code: 'INTERNAL',
      message: 'internal error: x is undefined',
    });
    expect(failure.stack).toContain('TypeError');
  });
});

describe('tidyConnectError', () => {
  it.each([
    [
      'No connection established. Last error: Error: connect ECONNREFUSED 127.0.0.1:1. Resolution note: ',
      'connect ECONNREFUSED 127.0.0.1:1',
    ],
    [
      'No connection established. Last error: getaddrinfo ENOTFOUND nohost. Resolution note: DNS failed',
      'getaddrinfo ENOTFOUND nohost (DNS failed)',
    ],
    ['Deadline exceeded after 10.001s', 'Deadline exceeded after 10.001s'],
  ])('turns %j into %j', (detail, tidy) => {
    expect(tidyConnectError(detail)).toBe(tidy);
  });
});
