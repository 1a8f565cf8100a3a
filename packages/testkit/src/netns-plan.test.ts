// Names and subnets of the network-namespace test bed: unique per process and bed, within Linux's
// interface-name limit, readable back to their owner, and never on a network already routed here.
import { describe, expect, it } from '@jest/globals';
import { IFNAME_MAX, MAX_HOSTS, bedNames, overlapsAny, ownerPid, subnetCandidates } from './netns-plan.js';

const PID_MAX = 4_194_304; // Linux's largest pid_max (2^22)

describe('bedNames', () => {
  it.each([
    [1, 0],
    [PID_MAX, 0],
    [PID_MAX, 36 ** 2 - 1],
    [4242, 7],
  ])('pid %d, bed %d: every interface name fits in 15 characters and names its owner', (pid, seq) => {
    const n = bedNames(pid, seq);
    for (const name of [n.bridge, n.hostVeth(0), n.nsVeth(0), n.hostVeth(MAX_HOSTS - 1), n.nsVeth(MAX_HOSTS - 1)]) {
      expect(name.length).toBeLessThanOrEqual(IFNAME_MAX);
      expect(name).toMatch(/^[0-9a-z]+$/);
      expect(ownerPid(name)).toBe(pid);
    }
    expect(ownerPid(n.netns(3))).toBe(pid);
  });

  it('differs between processes, beds and hosts', () => {
    const all = [bedNames(100, 0), bedNames(100, 1), bedNames(101, 0)].flatMap((n) => [
      n.bridge,
      n.hostVeth(0),
      n.hostVeth(1),
      n.nsVeth(0),
      n.netns(0),
      n.netns(1),
    ]);
    expect(new Set(all).size).toBe(all.length);
  });

  it('refuses what would not fit, naming it', () => {
    expect(() => bedNames(36 ** 5, 0)).toThrow(/^pid must be/);
    expect(() => bedNames(1, 36 ** 2)).toThrow(/^bed sequence must be/);
    expect(() => bedNames(1, 0).hostVeth(MAX_HOSTS)).toThrow(/^host index must be/);
    expect(() => bedNames(1, 0).netns(-1)).toThrow(/^host index must be/);
  });
});

describe('ownerPid', () => {
  it.each(['eth0', 'docker0', 'motb', 'motbxyz', 'mo-h2', 'vethabc'])('%s is not a bed name', (name) => {
    expect(ownerPid(name)).toBeUndefined();
  });
});

describe('subnetCandidates', () => {
  it('yields every /24 of 10.200.0.0/13 once, from a start that depends on the pid', () => {
    const all = [...subnetCandidates(12345)];
    expect(all.length).toBe(56 * 256);
    expect(new Set(all).size).toBe(all.length);
    for (const p of all) expect(p).toMatch(/^10\.(2[0-4]\d|25[0-5])\.(\d{1,3})$/);
    expect(subnetCandidates(12345).next().value).not.toBe(subnetCandidates(12346).next().value);
  });
});

describe('overlapsAny', () => {
  it.each([
    [['10.200.7.0/24'], true],
    [['10.200.7.5'], true],
    [['10.200.0.0/16'], true],
    [['10.0.0.0/8'], true],
    [['10.200.6.0/24', '10.200.8.0/24'], false],
    [['10.200.7.128/25'], true],
    [['0.0.0.0/0'], false], // a default route is no clash
    [['172.17.0.0/16', '192.168.1.0/24'], false],
    [['garbage', '10.200.7.0/40'], false],
  ])('10.200.7.0/24 against %j: %s', (cidrs, expected) => {
    expect(overlapsAny('10.200.7', cidrs)).toBe(expected);
  });
});
