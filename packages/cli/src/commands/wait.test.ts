import { describe, expect, it } from '@jest/globals';
import { ExitCode } from '../errors.js';
import { waitExitCode } from './wait.js';

const w = (s: string) => ({ state: `WORKLOAD_STATE_${s.toUpperCase()}` as never });

describe('waitExitCode', () => {
  it.each([
    [['succeeded', 'succeeded'], ExitCode.Ok],
    [['succeeded', 'failed'], ExitCode.WorkloadFailed],
    [['stopped'], ExitCode.WorkloadFailed],
    [['lost', 'succeeded'], ExitCode.WorkloadFailed],
    [['succeeded', 'running'], ExitCode.WaitTimeout],
    [['pending'], ExitCode.WaitTimeout],
    // A known failure outranks not knowing yet.
    [['running', 'failed'], ExitCode.WorkloadFailed],
  ])('%j exits %i', (states, code) => {
    expect(waitExitCode(states.map(w))).toBe(code);
  });
});
