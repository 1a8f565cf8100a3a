import { describe, expect, it } from '@jest/globals';
import { daemonArgs } from './daemon.js';

describe('daemonArgs', () => {
  it.each([
    [
      ['node', 'mo', 'agent', '--data-dir', '/d'],
      ['--data-dir', '/d'],
      ['--data-dir', '/d'],
    ],
    [['node', 'mo', 'agent'], [], []],
    [['node', 'mo', '--json', 'agent', '--help'], ['--help'], ['--help']],
    // Commander swallows a `--` right after the command name; the daemon gets it back.
    [['node', 'mo', 'agent', '--', 'x'], ['x'], ['--', 'x']],
    [
      ['node', 'mo', 'agent', 'x', '--', 'y'],
      ['x', '--', 'y'],
      ['x', '--', 'y'],
    ],
  ])('from %j (parsed %j) passes %j', (raw, parsed, expected) => {
    expect(daemonArgs('agent', raw, parsed)).toEqual(expected);
  });

  it('does the same for the scheduler', () => {
    expect(daemonArgs('scheduler', ['node', 'mo', 'scheduler', '--', 'x'], ['x'])).toEqual(['--', 'x']);
  });
});
