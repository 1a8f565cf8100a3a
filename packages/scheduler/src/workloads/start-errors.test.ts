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
    ['UNAVAILABLE (unreachable)', grpc.status.UNAVAILABLE, 'node_fault'],
    ['DEADLINE_EXCEEDED', grpc.status.DEADLINE_EXCEEDED, 'node_fault'],
    ['INTERNAL', grpc.status.INTERNAL, 'node_fault'],
    ['UNKNOWN', grpc.status.UNKNOWN, 'node_fault'],
    ['CANCELLED', grpc.status.CANCELLED, 'node_fault'],
    ['ABORTED', grpc.status.ABORTED, 'node_fault'],
    ['UNIMPLEMENTED (an older agent)', grpc.status.UNIMPLEMENTED, 'node_fault'],
    ['DATA_LOSS', grpc.status.DATA_LOSS, 'node_fault'],
    ['UNAUTHENTICATED', grpc.status.UNAUTHENTICATED, 'node_fault'],
    ['no status at all', undefined, 'node_fault'],
  ])('%s is %s', (_what, code, kind) => {
    expect(startErrorKind(code)).toBe(kind);
  });
});
