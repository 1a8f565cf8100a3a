import { describe, expect, it } from '@jest/globals';
import { agentArgs } from './agent.js';

describe('agentArgs', () => {
  it.each([
    [
      ['node', 'mo', 'agent', '--data-dir', '/d'],
      ['--data-dir', '/d'],
      ['--data-dir', '/d'],
    ],
    [['node', 'mo', 'agent'], [], []],
    [['node', 'mo', '--json', 'agent', '--help'], ['--help'], ['--help']],
    // Commander swallows a `--` right after the command name; the agent gets it back.
    [['node', 'mo', 'agent', '--', 'x'], ['x'], ['--', 'x']],
    [
      ['node', 'mo', 'agent', 'x', '--', 'y'],
      ['x', '--', 'y'],
      ['x', '--', 'y'],
    ],
  ])('from %j (parsed %j) passes %j', (raw, parsed, expected) => {
    expect(agentArgs(raw, parsed)).toEqual(expected);
  });
});
