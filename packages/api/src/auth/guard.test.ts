import { describe, expect, it } from '@jest/globals';
import * as grpc from '@grpc/grpc-js';
import { UnauthenticatedError } from '../errors.js';
import { admitCall, authenticate, type TokenChecker } from './guard.js';
import type { Identity } from './identity.js';

const ci: Identity = { kind: 'token', name: 'ci', access: 'read', tokenId: '01J0000000000000000000000A' };
const checker: TokenChecker = (t) => (t === 'good' ? { identity: ci } : { refused: 'unknown token' });

function meta(authorization?: string): grpc.Metadata {
  const m = new grpc.Metadata();
  if (authorization !== undefined) m.set('authorization', authorization);
  return m;
}

describe('authenticate', () => {
  it('takes a valid bearer token as the identity, over the transport identity', () => {
    expect(authenticate(meta('Bearer good'), { kind: 'insecure' }, checker)).toEqual(ci);
    expect(authenticate(meta('Bearer good'), { kind: 'client', name: 'a', access: 'admin' }, checker)).toEqual(ci);
  });

  it('never falls back to the transport for a bad token: a caller gets no more than it asked for', () => {
    expect(() => authenticate(meta('Bearer bad'), { kind: 'insecure' }, checker)).toThrow(
      new UnauthenticatedError('bearer token refused: unknown token'),
    );
    expect(() => authenticate(meta('Basic x'), { kind: 'insecure' }, checker)).toThrow(UnauthenticatedError);
  });

  it('uses the transport identity without a token, and refuses a caller with neither', () => {
    expect(authenticate(meta(), { kind: 'insecure' }, checker)).toEqual({ kind: 'insecure' });
    expect(() => authenticate(meta(), undefined, checker)).toThrow(
      /no client certificate signed by this cluster's CA .* and no bearer token/,
    );
  });

  it('refuses a token where none are taken', () => {
    expect(() => authenticate(meta('Bearer good'), { kind: 'insecure' }, undefined)).toThrow(/takes no bearer tokens/);
  });
});

describe('admitCall', () => {
  it('admits a caller with the access, and names code, need and caller when it refuses', () => {
    expect(admitCall('/mo.v1.Scheduler/ListWorkloads', meta('Bearer good'), undefined, checker)).toEqual({
      identity: ci,
    });
    expect(admitCall('/mo.v1.Scheduler/SubmitWorkload', meta('Bearer good'), undefined, checker)).toEqual({
      refusal: {
        code: grpc.status.PERMISSION_DENIED,
        message: 'SubmitWorkload needs operate access; token:ci has read',
        identity: ci,
      },
    });
    expect(admitCall('/mo.v1.Scheduler/ListWorkloads', meta('Bearer bad'), undefined, checker)).toEqual({
      refusal: { code: grpc.status.UNAUTHENTICATED, message: 'bearer token refused: unknown token' },
    });
  });
});
