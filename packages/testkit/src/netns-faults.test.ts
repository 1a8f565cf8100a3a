// The faults of a test-bed host as commands: validated impairments that name their field, peers
// by host or address, and undo commands that remove exactly what is in place.
import { describe, expect, it } from '@jest/globals';
import {
  DELAY_QUEUE_RULES,
  WHOLE_DROP_RULES,
  impairmentArgs,
  noFaults,
  peerAddress,
  peerDropRules,
  undoCommands,
} from './netns-faults.js';

const host = { wrap: ['ip', 'netns', 'exec', 'motbx-00'], hostVeth: 'motbxh00' };

describe('impairmentArgs', () => {
  it('passes queue, delay, jitter and loss to the delay process, defaults 0', () => {
    expect(impairmentArgs({ delayMs: 200, jitterMs: 20, lossPercent: 1.5 })).toEqual(['0', '200', '20', '1.5']);
    expect(impairmentArgs({ lossPercent: 5 })).toEqual(['0', '0', '0', '5']);
  });

  it.each([
    [{ delayMs: -1 }, /^delayMs: expected a number from 0 to 60000, got -1/],
    [{ delayMs: Number.NaN }, /^delayMs:/],
    [{ delayMs: 10, lossPercent: 101 }, /^lossPercent: expected a number from 0 to 100/],
    [{ delayMs: 10, jitterMs: 20 }, /^jitterMs \(20\) must not exceed delayMs \(10\)/],
    [{}, /needs delayMs or lossPercent above 0/],
  ])('refuses %j, naming the field', (impairment, message) => {
    expect(() => impairmentArgs(impairment)).toThrow(message);
  });
});

describe('peerAddress', () => {
  it('takes a host of the bed or an IPv4 address', () => {
    expect(peerAddress({ address: '10.200.1.3' })).toBe('10.200.1.3');
    expect(peerAddress('10.200.1.1')).toBe('10.200.1.1');
  });

  it.each(['', 'h1', '10.200.1', '10.200.1.256', '10.200.1.0/24', '-j ACCEPT'])('refuses "%s"', (peer) => {
    expect(() => peerAddress(peer)).toThrow(/^peer: expected a host of the bed or an IPv4 address/);
  });
});

describe('undoCommands', () => {
  it('is empty for a host without faults', () => {
    expect(undoCommands(noFaults(), host)).toEqual([]);
  });

  it('deletes every rule in place inside the namespace, then brings the link up', () => {
    const faults = { ...noFaults(), partitioned: true, cut: true, impaired: true };
    faults.peers.add('10.200.1.3');
    faults.peers.add('10.200.1.1');
    const inside = (rule: readonly string[]) => [...host.wrap, 'iptables', '-w', '-D', ...rule];
    expect(undoCommands(faults, host)).toEqual([
      ...WHOLE_DROP_RULES.map(inside),
      ...peerDropRules('10.200.1.3').map(inside),
      ...peerDropRules('10.200.1.1').map(inside),
      ...DELAY_QUEUE_RULES.map(inside),
      ['ip', 'link', 'set', 'motbxh00', 'up'],
    ]);
  });
});

describe('the rules', () => {
  it('drop a peer both ways, and queue everything but loopback with a bypass when no one listens', () => {
    expect(peerDropRules('10.200.1.3')).toEqual([
      ['INPUT', '-s', '10.200.1.3', '-j', 'DROP'],
      ['OUTPUT', '-d', '10.200.1.3', '-j', 'DROP'],
    ]);
    for (const rule of DELAY_QUEUE_RULES) {
      expect(rule.slice(1, 4)).toEqual(['!', rule[0] === 'INPUT' ? '-i' : '-o', 'lo']);
      expect(rule).toContain('--queue-bypass');
    }
  });
});
