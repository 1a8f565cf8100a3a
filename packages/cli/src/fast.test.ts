// The fast path takes exactly `mo [globals] status [ID] [--recent N]` and `mo [globals] nodes`;
// everything else falls through to the full command line (which reports errors as always).
import { describe, expect, it } from '@jest/globals';
import { parseFast } from './fast.js';

describe('parseFast', () => {
  it.each([
    [['status'], { command: 'status', raw: {} }],
    [['nodes', '--json'], { command: 'nodes', raw: { json: true } }],
    [['--scheduler', 'h:1', 'status', 'W1'], { command: 'status', raw: { scheduler: 'h:1' }, id: 'W1' }],
    [
      ['status', '--recent=5', '--timeout', '2s', '--scheduler=h:2'],
      { command: 'status', raw: { timeout: '2s', scheduler: 'h:2' }, recent: '5' },
    ],
    [['status', '--recent', 'x'], { command: 'status', raw: {}, recent: 'x' }],
    [['nodes', '--token', 'mo_t'], { command: 'nodes', raw: { token: 'mo_t' } }],
    [['--token=mo_t', 'status', 'W1'], { command: 'status', raw: { token: 'mo_t' }, id: 'W1' }],
  ])('takes %j', (args, expected) => {
    expect(parseFast(args, {})).toEqual(expected);
  });

  it.each([
    [[]],
    [['start', '--', 'true']],
    [['status', '--help']],
    [['-h']],
    [['status', '--agent', 'h:1']],
    [['nodes', 'extra']],
    [['status', 'a', 'b']],
    [['nodes', '--recent', '3']],
    [['status', '--scheduler']],
    [['status', '--timeout', '--json']],
    [['status', '--token']],
    [['status', '--token', '--json']],
    [['status', '--json=true']],
    [['status', '--unknown']],
    [['--', 'status']],
  ])('leaves %j to the full command line', (args) => {
    expect(parseFast(args, {})).toBeUndefined();
  });

  it('leaves direct-to-agent mode (MO_AGENT_ADDR alone) to the full command line', () => {
    expect(parseFast(['status'], { MO_AGENT_ADDR: 'a:1' })).toBeUndefined();
    expect(parseFast(['status'], { MO_AGENT_ADDR: 'a:1', MO_SCHEDULER_ADDR: 's:1' })).toEqual({
      command: 'status',
      raw: {},
    });
    expect(parseFast(['--scheduler', 's:2', 'status'], { MO_AGENT_ADDR: 'a:1' })).toEqual({
      command: 'status',
      raw: { scheduler: 's:2' },
    });
  });
});
