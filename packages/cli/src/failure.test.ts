import { describe, expect, it } from '@jest/globals';
import { MoError, NodeUnreachableError, NotFoundError, UnavailableError, fromServiceError } from '@mo/api';
import { CommanderError } from 'commander';
import { DaemonFailedError, ExitCode, UsageError, WaitFailedError } from './errors.js';
import { describeFailure, tidyConnectError } from './failure.js';

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
      'cannot reach scheduler at 127.0.0.1:1: connect ECONNREFUSED 127.0.0.1:1',
    ],
    [
      // The scheduler answered that the workload's node is down: the node's fault, exit 6.
      fromServiceError({ code: 14, details: 'node node-2 is unreachable at 127.0.0.1:7610: it is down' }, 'sched:7600'),
      ExitCode.NodeUnreachable,
      'UNAVAILABLE',
      'node node-2 is unreachable at 127.0.0.1:7610: it is down',
    ],
    [
      new NodeUnreachableError(
        'n1',
        '10.0.0.1:7610',
        'No connection established. Last error: connect ECONNREFUSED 10.0.0.1:7610. Resolution note: x',
      ),
      ExitCode.NodeUnreachable,
      'UNAVAILABLE',
      'node n1 is unreachable at 10.0.0.1:7610: connect ECONNREFUSED 10.0.0.1:7610',
    ],
    [
      new DaemonFailedError('agent', 'cannot load @mo/agent', new Error('nope')),
      ExitCode.Failed,
      'UNKNOWN',
      'agent: cannot load @mo/agent: nope',
    ],
  ])('maps %p to exit %d, code %s', (err, exitCode, code, message) => {
    const failure = describeFailure(err);
    expect(failure).toEqual({ exitCode, code, message });
  });

  it('names the agent when the command talked to one directly', () => {
    const err = new UnavailableError('127.0.0.1:1', '127.0.0.1:1: connect ECONNREFUSED 127.0.0.1:1');
    expect(describeFailure(err, 'agent').message).toBe(
      'cannot reach agent at 127.0.0.1:1: connect ECONNREFUSED 127.0.0.1:1',
    );
  });

  it.each([
    [ExitCode.WorkloadFailed, 'ABORTED'],
    [ExitCode.WaitTimeout, 'DEADLINE_EXCEEDED'],
  ] as const)('gives a failed --wait exit %d (%s), its output already written', (exitCode, code) => {
    const failure = describeFailure(new WaitFailedError('w1 failed (exit 3)', exitCode));
    expect(failure).toEqual({ exitCode, code, message: 'w1 failed (exit 3)', outputWritten: true });
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
      'getaddrinfo ENOTFOUND nohost',
    ],
    [
      'No connection established. Last error: connect ECONNREFUSED 127.0.0.1:1 (Resolution note: )',
      'connect ECONNREFUSED 127.0.0.1:1',
    ],
    [
      'Name resolution failed for target dns:nohost:1. Resolution note: no A record',
      'Name resolution failed for target dns:nohost:1',
    ],
    ['Deadline exceeded after 10.001s', 'Deadline exceeded after 10.001s'],
  ])('turns %j into %j', (detail, tidy) => {
    expect(tidyConnectError(detail)).toBe(tidy);
  });
});
