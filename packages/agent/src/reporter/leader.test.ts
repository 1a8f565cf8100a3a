import { describe, expect, it } from '@jest/globals';
import { MAX_LEARNED_ADDRESSES, MoError, NotLeaderError, UnavailableError } from '@mo/api';
import * as grpc from '@grpc/grpc-js';
import { SchedulerAddresses } from './leader.js';

describe('SchedulerAddresses', () => {
  it('tries the first address, then the others, until one is known to lead', () => {
    const s = new SchedulerAddresses('a:1,b:2,c:3');
    expect(s.leader).toBe('a:1');
    expect(s.order()).toEqual(['a:1', 'b:2', 'c:3']);
    s.follow('b:2');
    expect(s.order()).toEqual(['b:2', 'a:1', 'c:3']);
  });

  it('follows a redirect, also to a leader not in the list, and from a raw stream error', () => {
    const s = new SchedulerAddresses(['a:1', 'b:2']);
    s.failed(new NotLeaderError('c:3'), 'a:1');
    expect(s.order()).toEqual(['c:3', 'a:1', 'b:2']);
    // The heartbeat stream's 'error' event: grpc-js's ServiceError, the leader in its trailer.
    const metadata = new grpc.Metadata();
    metadata.set('mo-leader', 'b:2');
    const raw = Object.assign(new Error('14 UNAVAILABLE: not the leader'), {
      code: grpc.status.UNAVAILABLE,
      details: 'not the leader: the leader is b:2',
      metadata,
    });
    s.failed(raw, 'c:3');
    expect(s.leader).toBe('b:2');
  });

  it('passes an address that did not answer or knew no leader; a refusal of the request changes nothing', () => {
    const s = new SchedulerAddresses(['a:1', 'b:2', 'c:3']);
    s.failed(new UnavailableError('a:1', 'connect ECONNREFUSED'), 'a:1');
    expect(s.leader).toBe('b:2');
    s.failed(new NotLeaderError(undefined), 'b:2');
    expect(s.leader).toBe('c:3');
    s.failed(new MoError(grpc.status.RESOURCE_EXHAUSTED, 'registering too often'), 'c:3');
    expect(s.leader).toBe('c:3');
    // A failure at an address that is no longer the guess moves nothing.
    s.failed(new UnavailableError('a:1', 'connect ECONNREFUSED'), 'a:1');
    expect(s.leader).toBe('c:3');
    // A transfer's wrapped error is read by its cause.
    s.failed(new Error('could not fetch input s1/out', { cause: new NotLeaderError('a:1') }), 'c:3');
    expect(s.leader).toBe('a:1');
  });

  it('refuses an empty entry, naming what it is', () => {
    expect(() => new SchedulerAddresses('a:1,')).toThrow('scheduler addresses: expected host:port');
  });

  it('keeps at most MAX_LEARNED_ADDRESSES leaders learned from redirects, never a given one', () => {
    const s = new SchedulerAddresses('a:1,b:2');
    for (let i = 0; i < MAX_LEARNED_ADDRESSES + 5; i++) s.failed(new NotLeaderError(`l:${i}`), s.leader);
    expect(s.all).toHaveLength(2 + MAX_LEARNED_ADDRESSES);
    expect(s.all.slice(0, 2)).toEqual(['a:1', 'b:2']);
    expect(s.leader).toBe(`l:${MAX_LEARNED_ADDRESSES + 4}`);
    expect(s.all).toContain(s.leader);
  });
});
