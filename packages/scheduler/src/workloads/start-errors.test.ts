import { describe, expect, it } from '@jest/globals';
import * as grpc from '@grpc/grpc-js';
import { startErrorKind, type StartErrorKind } from './start-errors.js';

describe('startErrorKind: only node faults count towards the breaker', () => {
  it.each<[string, number | undefined, StartErrorKind]>([
    ['INVALID_ARGUMENT (no such program, image not pullable)', grpc.status.INVALID_ARGUMENT, 'refused'],
    ['RESOURCE_EXHAUSTED (docker port range full)', grpc.status.RESOURCE_EXHAUSTED, 'refused'],
    ['FAILED_PRECONDITION (no engine, no artifact path)', grpc.status.FAILED_PRECONDITION, 'refused'],
    ['OUT_OF_RANGE', grpc.status.OUT_OF_RANGE, 'refused'],
    ['NOT_FOUND', grpc.status.NOT_FOUND, 'refused'],
    ['PERMISSION_DENIED', grpc.status.PERMISSION_DENIED, 'refused'],
    ['ALREADY_EXISTS (a re-dispatch)', grpc.status.ALREADY_EXISTS, 'already_started'],
    ['UNAVAILABLE (cut mid-call)', grpc.status.UNAVAILABLE, 'unconfirmed'],
    ['DEADLINE_EXCEEDED (it may have run all the same)', grpc.status.DEADLINE_EXCEEDED, 'unconfirmed'],
    ['INTERNAL', grpc.status.INTERNAL, 'unconfirmed'],
    ['UNKNOWN', grpc.status.UNKNOWN, 'unconfirmed'],
    ['CANCELLED', grpc.status.CANCELLED, 'unconfirmed'],
    ['ABORTED', grpc.status.ABORTED, 'unconfirmed'],
    ['DATA_LOSS', grpc.status.DATA_LOSS, 'unconfirmed'],
    ['no status at all', undefined, 'unconfirmed'],
    ['UNIMPLEMENTED (an older agent refused the call)', grpc.status.UNIMPLEMENTED, 'node_fault'],
    ['UNAUTHENTICATED (refused the call)', grpc.status.UNAUTHENTICATED, 'node_fault'],
  ])('%s is %s', (_what, code, kind) => {
    expect(startErrorKind(code)).toBe(kind);
  });
});

describe('startErrorKind: a start that never left is a node fault, not a doubt', () => {
  it('knows the clients’ words for a call that found no connection', () => {
    const wire = 'No connection established. Last error: connect ECONNREFUSED 127.0.0.1:1';
    expect(startErrorKind(grpc.status.UNAVAILABLE, wire)).toBe('node_fault');
    expect(startErrorKind(grpc.status.UNAVAILABLE, 'Connection dropped')).toBe('unconfirmed');
    expect(startErrorKind(grpc.status.DEADLINE_EXCEEDED, wire)).toBe('unconfirmed');
  });
});
