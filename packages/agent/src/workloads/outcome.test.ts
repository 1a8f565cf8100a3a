// outcomeOf: how a workload's end reads, as a table of what the agent knew and what the driver said.
import { describe, expect, it } from '@jest/globals';
import type { ExitResult, WaitResult } from '../drivers/driver.js';
import { outcomeOf } from './outcome.js';

type Knew = { stopRequested?: boolean; fenced?: string; timedOut?: boolean; checkFailed?: string };
const exited = (exit: Omit<ExitResult, 'finishedAtMs'>) => ({
  status: 'exited' as const,
  exit: { ...exit, finishedAtMs: 1 },
});
const spec = { timeoutMs: 90_000 };

describe('outcomeOf', () => {
  it.each<[string, Knew, WaitResult, string, string]>([
    ['a clean exit', {}, exited({ exitCode: 0 }), 'succeeded', 'exited with code 0'],
    ['a non-zero exit', {}, exited({ exitCode: 3 }), 'failed', 'exited with code 3'],
    ['a signal', {}, exited({ signal: 'SIGSEGV' }), 'failed', 'killed by SIGSEGV'],
    [
      'a program that could not run',
      {},
      exited({ startError: 'exec: ENOENT', exitCode: 127 }),
      'failed',
      'exec: ENOENT',
    ],
    [
      'the OOM killer',
      {},
      exited({ signal: 'SIGKILL', oomKilled: true }),
      'failed',
      'oom_killed: out of memory (killed by SIGKILL)',
    ],
    [
      'a timeout',
      { timedOut: true },
      exited({ signal: 'SIGTERM' }),
      'failed',
      'timed out after 90s (killed by SIGTERM)',
    ],
    [
      'a stop after a failing check, whatever the exit',
      { checkFailed: 'check "web" failed 3 times in a row: HTTP 503' },
      exited({ exitCode: 0 }),
      'failed',
      'check "web" failed 3 times in a row: HTTP 503 (exited with code 0)',
    ],
    [
      'a stop by request after a failing check',
      { stopRequested: true, checkFailed: 'check "web" failed 3 times in a row: HTTP 503' },
      exited({ exitCode: 0 }),
      'stopped',
      'stopped by request (exited with code 0)',
    ],
    [
      'a stop by request, whatever the exit',
      { stopRequested: true, timedOut: true },
      exited({ exitCode: 0 }),
      'stopped',
      'stopped by request (exited with code 0)',
    ],
    [
      'a fence',
      { fenced: 'cut off for 5m' },
      exited({ signal: 'SIGTERM' }),
      'lost',
      'cut off for 5m (killed by SIGTERM)',
    ],
    [
      'a stop before a fence',
      { stopRequested: true, fenced: 'cut off' },
      exited({ exitCode: 1 }),
      'stopped',
      'stopped by request (exited with code 1)',
    ],
    [
      'a workload gone without an exit',
      {},
      { status: 'lost', reason: 'the host rebooted' },
      'lost',
      'the host rebooted',
    ],
    [
      'one gone after a stop request',
      { stopRequested: true },
      { status: 'lost', reason: 'shim killed' },
      'stopped',
      'stopped by request (shim killed)',
    ],
  ])('reads %s', (_what, knew, result, state, reason) => {
    expect(outcomeOf({ ...knew, spec }, result)).toEqual({ state, reason });
  });
});
