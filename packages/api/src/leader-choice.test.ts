import { describe, expect, it } from '@jest/globals';
import { MoError, NodeUnreachableError, NotLeaderError, UnavailableError } from './errors.js';
import {
  FIRST_ROUND,
  addressList,
  chooseAfterFailure,
  failureOf,
  following,
  retrySafe,
  type FailedCall,
  type Round,
  MAX_LEARNED_ADDRESSES,
  learnAddress,
} from './leader-choice.js';
import { STATUS } from './status.js';

const ABC = ['a:1', 'b:2', 'c:3'];

function failed(over: Partial<FailedCall>): FailedCall {
  return {
    addresses: ABC,
    at: 'a:1',
    failure: { kind: 'answered' },
    safe: true,
    round: FIRST_ROUND,
    remainingMs: 10_000,
    ...over,
  };
}

describe('failureOf', () => {
  it.each([
    ['a redirect naming the leader', new NotLeaderError('b:2'), { kind: 'redirect', leader: 'b:2' }],
    ['a refusal while no leader is known', new NotLeaderError(undefined), { kind: 'electing' }],
    [
      'a connection lost',
      new UnavailableError('a:1', 'a:1: connection lost: the server closed it'),
      { kind: 'unreachable' },
    ],
    [
      'a refused connection (nothing sent)',
      new UnavailableError('a:1', 'a:1: No connection established. Last error: connect ECONNREFUSED 127.0.0.1:1'),
      { kind: 'unreachable', refused: true },
    ],
    ['a node behind the scheduler down', new NodeUnreachableError('n1', 'x:1', 'refused'), { kind: 'answered' }],
    ['a refusal of the request', new MoError(STATUS.INVALID_ARGUMENT, 'spec.argv: empty'), { kind: 'answered' }],
    // A passed deadline maps to UnavailableError too: chooseAfterFailure ends the call on its time.
    ['a deadline that passed', new UnavailableError('a:1', 'deadline'), { kind: 'unreachable' }],
  ])('%s', (_, err, kind) => {
    expect(failureOf(err)).toEqual(kind);
  });
});

describe('retrySafe', () => {
  it.each([
    ['/mo.v1.Scheduler/GetClusterStatus', {}, true],
    ['/mo.v1.Scheduler/Watch', {}, true],
    ['/mo.v1.NodeRegistry/Register', {}, true],
    ['/mo.v1.Scheduler/SubmitWorkload', { idempotencyKey: 'k1' }, true],
    ['/mo.v1.Pipelines/SubmitPipeline', { idempotencyKey: 'k1' }, true],
    ['/mo.v1.Scheduler/SubmitWorkload', { idempotencyKey: '' }, false],
    ['/mo.v1.Scheduler/SubmitWorkload', {}, false],
    ['/mo.v1.Scheduler/StopScheduledWorkload', { workloadId: 'w' }, false],
    ['/mo.v1.Jobs/RunJob', { idempotencyKey: 'k' }, false],
    ['/mo.v1.Tokens/CreateToken', {}, false],
    ['', {}, false],
    ['/mo.v1.Scheduler/NoSuchMethod', {}, false],
  ])('%s %j → %s', (path, req, safe) => {
    expect(retrySafe(path, req)).toBe(safe);
  });
});

describe('chooseAfterFailure', () => {
  it('follows a redirect at once, for any call (nothing ran)', () => {
    const c = chooseAfterFailure(failed({ failure: { kind: 'redirect', leader: 'c:3' }, safe: false }));
    expect(c).toEqual({
      kind: 'retry',
      address: 'c:3',
      waitMs: 0,
      round: { tried: ['a:1'], redirects: 1, waits: 0, electing: false },
    });
  });

  it('follows a redirect to a leader not in the list', () => {
    const c = chooseAfterFailure(failed({ failure: { kind: 'redirect', leader: '10.0.0.9:7600' } }));
    expect(c).toMatchObject({ kind: 'retry', address: '10.0.0.9:7600' });
  });

  it('stops following redirects that go round in circles', () => {
    const round: Round = { tried: ['a:1', 'b:2'], redirects: 5, waits: 0, electing: false };
    const c = chooseAfterFailure(failed({ failure: { kind: 'redirect', leader: 'b:2' }, round }));
    expect(c).toEqual({ kind: 'fail', next: 'b:2' });
  });

  it('a server refusing while naming itself is treated as an election under way', () => {
    const c = chooseAfterFailure(failed({ failure: { kind: 'redirect', leader: 'a:1' } }));
    expect(c).toMatchObject({ kind: 'retry', address: 'b:2', waitMs: 0, round: { electing: true } });
  });

  it('with no leader known, tries the others in turn, then waits and goes round again', () => {
    let round: Round = FIRST_ROUND;
    let at = 'b:2';
    const seen: Array<[string, number]> = [];
    for (let i = 0; i < 7; i++) {
      const c = chooseAfterFailure(failed({ at, failure: { kind: 'electing' }, round }));
      if (c.kind !== 'retry') throw new Error(`expected a retry, got ${JSON.stringify(c)}`);
      seen.push([c.address, c.waitMs]);
      round = c.round;
      at = c.address;
    }
    expect(seen).toEqual([
      ['c:3', 0],
      ['a:1', 0],
      ['b:2', 100],
      ['c:3', 0],
      ['a:1', 0],
      ['b:2', 200],
      ['c:3', 0],
    ]);
  });

  it('waits at most 1 s, and not past the deadline', () => {
    const round: Round = { tried: ['b:2', 'c:3'], redirects: 0, waits: 9, electing: true };
    expect(chooseAfterFailure(failed({ failure: { kind: 'electing' }, round }))).toMatchObject({ waitMs: 1000 });
    expect(chooseAfterFailure(failed({ failure: { kind: 'electing' }, round, remainingMs: 1000 }))).toEqual({
      kind: 'fail',
      next: 'b:2',
    });
    expect(chooseAfterFailure(failed({ failure: { kind: 'electing' }, remainingMs: 0 }))).toEqual({
      kind: 'fail',
      next: 'a:1',
    });
  });

  it('moves a safe call to the next address after a connection failure, and fails once all failed', () => {
    const c1 = chooseAfterFailure(failed({ failure: { kind: 'unreachable' } }));
    expect(c1).toMatchObject({ kind: 'retry', address: 'b:2', waitMs: 0 });
    const round: Round = { tried: ['a:1', 'b:2'], redirects: 0, waits: 0, electing: false };
    expect(chooseAfterFailure(failed({ at: 'c:3', failure: { kind: 'unreachable' }, round }))).toEqual({
      kind: 'fail',
      next: 'a:1',
    });
  });

  it('a connection failure ends an unsafe call, and the next call starts at the next address', () => {
    expect(chooseAfterFailure(failed({ at: 'b:2', failure: { kind: 'unreachable' }, safe: false }))).toEqual({
      kind: 'fail',
      next: 'c:3',
    });
  });

  it('a refused connection moves even an unsafe call on: nothing was sent', () => {
    expect(
      chooseAfterFailure(failed({ at: 'b:2', failure: { kind: 'unreachable', refused: true }, safe: false })),
    ).toMatchObject({ kind: 'retry', address: 'c:3', waitMs: 0 });
  });

  it('an election seen earlier in the round makes a final connection failure worth a wait', () => {
    const round: Round = { tried: ['a:1', 'b:2'], redirects: 0, waits: 0, electing: true };
    expect(chooseAfterFailure(failed({ at: 'c:3', failure: { kind: 'unreachable' }, round }))).toMatchObject({
      kind: 'retry',
      address: 'a:1',
      waitMs: 100,
    });
  });

  it("the server's own answer stays where it is", () => {
    expect(chooseAfterFailure(failed({ at: 'b:2' }))).toEqual({ kind: 'fail', next: 'b:2' });
  });

  it('one address: a connection failure fails and stays; an election is waited for', () => {
    const one = { addresses: ['a:1'] };
    expect(chooseAfterFailure(failed({ ...one, failure: { kind: 'unreachable' } }))).toEqual({
      kind: 'fail',
      next: 'a:1',
    });
    expect(chooseAfterFailure(failed({ ...one, failure: { kind: 'electing' } }))).toMatchObject({
      kind: 'retry',
      address: 'a:1',
      waitMs: 100,
    });
  });
});

describe('addressList and following', () => {
  it('splits lists and arrays of lists, trims and dedups; an empty entry names the field', () => {
    expect(addressList('a:1, b:2,a:1')).toEqual(['a:1', 'b:2']);
    expect(addressList(['a:1', 'b:2,c:3'])).toEqual(['a:1', 'b:2', 'c:3']);
    expect(() => addressList('a:1,,b:2', '--scheduler')).toThrow('--scheduler: expected host:port');
    expect(() => addressList([], 'scheduler')).toThrow('scheduler: expected host:port');
  });

  it('goes round the list; an unknown address leads to the first', () => {
    expect(following(ABC, 'c:3')).toBe('a:1');
    expect(following(ABC, 'z:9')).toBe('a:1');
    expect(following(['a:1'], 'a:1')).toBe('a:1');
  });
});

describe('learnAddress', () => {
  it('keeps the given addresses and at most MAX_LEARNED_ADDRESSES learned ones, oldest learned out first', () => {
    const known = ['a:1', 'b:2'];
    expect(learnAddress(known, 2, 'b:2', 'a:1')).toBeUndefined(); // known already
    for (let i = 0; i < MAX_LEARNED_ADDRESSES; i++) expect(learnAddress(known, 2, `l:${i}`, 'a:1')).toBeUndefined();
    expect(known).toHaveLength(2 + MAX_LEARNED_ADDRESSES);
    expect(learnAddress(known, 2, 'l:new', 'a:1')).toBe('l:0');
    // The one in use is kept: the next oldest goes.
    expect(learnAddress(known, 2, 'l:newer', 'l:1')).toBe('l:2');
    expect(known.slice(0, 3)).toEqual(['a:1', 'b:2', 'l:1']);
    expect(known).toHaveLength(2 + MAX_LEARNED_ADDRESSES);
    expect(known.at(-1)).toBe('l:newer');
  });
});
