import { describe, expect, it } from '@jest/globals';
import * as grpc from '@grpc/grpc-js';
import { fromServiceError, MoError } from './errors.js';
import { LEADER_KEY, NotLeaderError, notLeaderStatus, redirectOf, splitAddresses } from './leader.js';

describe('a follower refusal', () => {
  it('carries the leader in a trailer, and the client reads it back as NotLeaderError', () => {
    const wire = notLeaderStatus('10.0.0.2:7600');
    expect(wire.code).toBe(grpc.status.UNAVAILABLE);
    expect(wire.details).toBe('not the leader: the leader is 10.0.0.2:7600');
    expect(wire.metadata!.get(LEADER_KEY)).toEqual(['10.0.0.2:7600']);
    const back = fromServiceError(Object.assign(new Error(wire.details), wire), '10.0.0.1:7600');
    expect(back).toBeInstanceOf(NotLeaderError);
    expect((back as NotLeaderError).leader).toBe('10.0.0.2:7600');
    expect(redirectOf(back)).toBe('10.0.0.2:7600');
  });

  it('says when no leader is known, and a plain UNAVAILABLE is no redirect', () => {
    const none = notLeaderStatus(undefined);
    expect(none.details).toMatch(/^not the leader: no leader is elected yet/);
    const back = fromServiceError(Object.assign(new Error(none.details), none), 'a:1');
    expect(redirectOf(back)).toBe('');
    const plain = fromServiceError({ code: grpc.status.UNAVAILABLE, details: 'connect ECONNREFUSED' }, 'a:1');
    expect(redirectOf(plain)).toBeUndefined();
    expect(redirectOf(new MoError(grpc.status.INTERNAL, 'not the leader'))).toBeUndefined();
  });
});

describe('splitAddresses', () => {
  it('splits, trims and dedups; an empty entry names the field', () => {
    expect(splitAddresses('a:1, b:2,a:1', '--scheduler')).toEqual(['a:1', 'b:2']);
    expect(() => splitAddresses('a:1,,b:2', '--scheduler')).toThrow('--scheduler: expected host:port');
  });
});
