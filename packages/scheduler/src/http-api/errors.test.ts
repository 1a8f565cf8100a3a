import { describe, expect, it } from '@jest/globals';
import * as grpc from '@grpc/grpc-js';
import { InvalidArgumentError, MoError, NotFoundError, statusName } from '@mo/api';
import { RefusedForRate } from './auth.js';
import { errorReply, HTTP_STATUS, HttpError } from './errors.js';

describe('errorReply', () => {
  // google/rpc/code.proto's HTTP mapping, code by code.
  it.each([
    [grpc.status.CANCELLED, 499],
    [grpc.status.UNKNOWN, 500],
    [grpc.status.INVALID_ARGUMENT, 400],
    [grpc.status.DEADLINE_EXCEEDED, 504],
    [grpc.status.NOT_FOUND, 404],
    [grpc.status.ALREADY_EXISTS, 409],
    [grpc.status.PERMISSION_DENIED, 403],
    [grpc.status.RESOURCE_EXHAUSTED, 429],
    [grpc.status.FAILED_PRECONDITION, 400],
    [grpc.status.ABORTED, 409],
    [grpc.status.OUT_OF_RANGE, 400],
    [grpc.status.UNIMPLEMENTED, 501],
    [grpc.status.INTERNAL, 500],
    [grpc.status.UNAVAILABLE, 503],
    [grpc.status.DATA_LOSS, 500],
    [grpc.status.UNAUTHENTICATED, 401],
  ])('maps gRPC status %s to HTTP %s with the code named', (code, http) => {
    const reply = errorReply(new MoError(code, 'why'));
    expect(reply).toEqual({ status: http, headers: {}, body: { code: statusName(code), message: 'why' } });
  });

  it('covers every gRPC status but OK', () => {
    const names = Object.keys(grpc.status).filter((k) => Number.isNaN(Number(k)));
    expect(Object.keys(HTTP_STATUS).sort()).toEqual(names.sort());
  });

  it('keeps the field-named messages of the domain errors', () => {
    expect(errorReply(new InvalidArgumentError('spec.argv', 'must not be empty')).body).toEqual({
      code: 'INVALID_ARGUMENT',
      message: 'spec.argv: must not be empty',
    });
    expect(errorReply(new NotFoundError('workload_id', 'workload', 'W1'))).toMatchObject({
      status: 404,
      body: { message: 'workload_id: no workload "W1"' },
    });
  });

  it('answers what is not a MoError as 500 INTERNAL, as gRPC does', () => {
    expect(errorReply(new Error('boom'))).toEqual({
      status: 500,
      headers: {},
      body: { code: 'INTERNAL', message: 'internal error: boom' },
    });
  });

  it('lets HTTP-only errors choose their status and headers, and says when to retry a rate', () => {
    const e = new HttpError(405, grpc.status.UNIMPLEMENTED, 'no', { Allow: 'GET' });
    expect(errorReply(e)).toEqual({
      status: 405,
      headers: { Allow: 'GET' },
      body: { code: 'UNIMPLEMENTED', message: 'no' },
    });
    expect(errorReply(new RefusedForRate('slow down', 1500))).toMatchObject({
      status: 429,
      headers: { 'Retry-After': '2' },
    });
  });
});
